using System.Globalization;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Chaincode;

/// <summary>
/// The built-in chaincode <c>basic</c> (version 1.0), behaving like the fixtures' Node contract:
/// Put(k,v), Get(k), CreateAsset(id,v), Fail(msg), Sleep(ms), Incr(k).
/// </summary>
internal static class BasicChaincode
{
    public const string Name = "basic";
    public const string Version = "1.0";

    /// <summary>Runs the function named by <paramref name="args"/>[0] against <paramref name="stub"/>.</summary>
    public static async Task<ChaincodeResult> InvokeAsync(IReadOnlyList<ByteString> args, TxSimulator stub, CancellationToken cancellationToken)
    {
        if (args.Count == 0)
        {
            return ChaincodeResult.Error("You've asked to invoke a function that does not exist: ");
        }

        var function = args[0].ToStringUtf8();
        var parameters = args.Skip(1).ToList();
        ChaincodeResult? Arity(int expected) => parameters.Count == expected
            ? null
            : ChaincodeResult.Error($"Expected {expected} parameters, but {parameters.Count} have been supplied");

        switch (function)
        {
            case "Put":
                if (Arity(2) is { } putError)
                {
                    return putError;
                }

                stub.PutState(Name, parameters[0].ToStringUtf8(), parameters[1]);
                stub.SetEvent(Name, "Put", parameters[0]);
                return ChaincodeResult.Success(parameters[1]);

            case "Get":
                if (Arity(1) is { } getError)
                {
                    return getError;
                }

                var value = stub.GetState(Name, parameters[0].ToStringUtf8());
                return value is null || value.IsEmpty
                    ? ChaincodeResult.Error($"The asset {parameters[0].ToStringUtf8()} does not exist")
                    : ChaincodeResult.Success(value);

            case "CreateAsset":
                if (Arity(2) is { } createError)
                {
                    return createError;
                }

                var id = parameters[0].ToStringUtf8();
                if (stub.GetState(Name, id) is { IsEmpty: false })
                {
                    return ChaincodeResult.Error($"The asset {id} already exists");
                }

                stub.PutState(Name, id, parameters[1]);
                stub.SetEvent(Name, "AssetCreated", parameters[0]);
                return ChaincodeResult.Success(parameters[1]);

            case "Fail":
                return ChaincodeResult.Error(parameters.Count > 0 ? parameters[0].ToStringUtf8() : "Fail");

            case "Sleep":
                if (Arity(1) is { } sleepError)
                {
                    return sleepError;
                }

                if (!int.TryParse(parameters[0].ToStringUtf8(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var milliseconds) || milliseconds < 0)
                {
                    return ChaincodeResult.Error($"invalid sleep duration '{parameters[0].ToStringUtf8()}'");
                }

                await Task.Delay(milliseconds, cancellationToken).ConfigureAwait(false);
                stub.PutState(Name, "slept", parameters[0]);
                return ChaincodeResult.Success(parameters[0]);

            case "Incr":
                if (Arity(1) is { } incrError)
                {
                    return incrError;
                }

                var key = parameters[0].ToStringUtf8();
                var current = stub.GetState(Name, key);
                long number = 0;
                if (current is { IsEmpty: false } && !long.TryParse(current.ToStringUtf8(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
                {
                    return ChaincodeResult.Error($"The value of {key} is not an integer");
                }

                var next = ByteString.CopyFromUtf8((number + 1).ToString(CultureInfo.InvariantCulture));
                stub.PutState(Name, key, next);
                return ChaincodeResult.Success(next);

            default:
                return ChaincodeResult.Error($"You've asked to invoke a function that does not exist: {function}");
        }
    }
}
