using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.Core.Tests;

/// <summary>The names fabinvoke prints for codes are exactly the .proto's (read here from the generated descriptors).</summary>
public sealed class FabricNamesTests
{
    [Fact]
    public void Every_status_is_named_as_in_the_proto()
    {
        var descriptor = CommonReflection.Descriptor.EnumTypes.Single(e => e.Name == "Status");
        foreach (var value in descriptor.Values)
        {
            Assert.Equal(value.Name, FabricNames.Of((Status)value.Number));
        }
    }

    [Fact]
    public void Every_validation_code_is_named_as_in_the_proto()
    {
        var descriptor = TransactionReflection.Descriptor.EnumTypes.Single(e => e.Name == "TxValidationCode");
        Assert.True(descriptor.Values.Count > 25);
        foreach (var value in descriptor.Values)
        {
            Assert.Equal(value.Name, FabricNames.Of((TxValidationCode)value.Number));
        }
    }

    [Fact]
    public void An_unknown_number_is_written_as_the_number()
    {
        Assert.Equal("77", FabricNames.Of((TxValidationCode)77));
        Assert.Equal("299", FabricNames.Of((Status)299));
    }
}
