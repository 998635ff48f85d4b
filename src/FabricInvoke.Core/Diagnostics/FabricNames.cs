using System.Globalization;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Google.Protobuf.Reflection;

namespace FabricInvoke.Core.Diagnostics;

/// <summary>The protocol's own names for status and validation codes (MVCC_READ_CONFLICT, SERVICE_UNAVAILABLE), read from the proto descriptors.</summary>
public static class FabricNames
{
    private static readonly EnumDescriptor StatusEnum = CommonReflection.Descriptor.EnumTypes.Single(e => e.Name == "Status");
    private static readonly EnumDescriptor ValidationEnum = TransactionReflection.Descriptor.EnumTypes.Single(e => e.Name == "TxValidationCode");

    public static string Of(Status status) => Name(StatusEnum, (int)status);

    public static string Of(TxValidationCode code) => Name(ValidationEnum, (int)code);

    private static string Name(EnumDescriptor descriptor, int number) =>
        descriptor.FindValueByNumber(number)?.Name ?? number.ToString(CultureInfo.InvariantCulture);
}
