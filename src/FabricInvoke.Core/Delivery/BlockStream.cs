using System.Runtime.CompilerServices;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Errors;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Grpc.Core;
using FabricStatus = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.Core.Delivery;

/// <summary>One open deliver stream: blocks in ledger order, until the peer ends it, it fails, or it is disposed.</summary>
internal sealed class BlockStream : IDisposable
{
    private readonly NodeConnection _connection;
    private readonly AsyncDuplexStreamingCall<Envelope, DeliverResponse> _call;
    private readonly BlockKind _kind;
    private Task? _sent;

    internal BlockStream(NodeConnection connection, AsyncDuplexStreamingCall<Envelope, DeliverResponse> call, Envelope seek, BlockKind kind)
    {
        _connection = connection;
        _call = call;
        _kind = kind;
        _sent = SendSeekAsync(seek);
    }

    /// <summary>The address of the peer the stream reads from.</summary>
    public string Address => _connection.Address;

    /// <summary>Every block from the start position on, as they come.</summary>
    /// <exception cref="FabricInvokeException">Connection (the peer could not be reached) or Deliver (a status, a broken stream).</exception>
    public async IAsyncEnumerable<DeliveredBlock> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            DeliveredBlock block;
            try
            {
                block = await NextAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
            {
                throw Failures.Connection("peer", Address, RpcFailure.Describe(e, _connection), e, needsClientCertificate: RpcFailure.NeedsClientCertificate(e, _connection));
            }
            catch (DeliverFault fault)
            {
                throw Failures.Deliver(null, fault.Address, fault.Problem, SendState.NotSent, fault.Status, fault.GrpcStatus, fault);
            }

            yield return block;
        }
    }

    /// <summary>The next block.</summary>
    /// <exception cref="RpcException">The stream never reached the peer's service (a connect failure, which may be retried).</exception>
    /// <exception cref="DeliverFault">The peer answered a status or the stream broke.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    internal async Task<DeliveredBlock> NextAsync(CancellationToken cancellationToken)
    {
        var response = await NextResponseAsync(cancellationToken).ConfigureAwait(false);
        return response.TypeCase switch
        {
            DeliverResponse.TypeOneofCase.FilteredBlock when _kind == BlockKind.Filtered => BlockReader.FromFiltered(response.FilteredBlock),
            DeliverResponse.TypeOneofCase.Block when _kind == BlockKind.Full => BlockReader.FromFull(response.Block),
            _ => throw Unexpected(response),
        };
    }

    /// <summary>The next full block as the peer sent it (its header included).</summary>
    /// <exception cref="RpcException">A connect failure.</exception>
    /// <exception cref="DeliverFault">A status or a broken stream.</exception>
    internal async Task<Block> NextFullBlockAsync(CancellationToken cancellationToken)
    {
        var response = await NextResponseAsync(cancellationToken).ConfigureAwait(false);
        return response.TypeCase == DeliverResponse.TypeOneofCase.Block && _kind == BlockKind.Full ? response.Block : throw Unexpected(response);
    }

    private DeliverFault Unexpected(DeliverResponse response) => response.TypeCase == DeliverResponse.TypeOneofCase.Status
        ? new DeliverFault(Address, $"deliver completed with status ({FabricNames.Of(response.Status)})", response.Status, null)
        : new DeliverFault(Address, $"unexpected deliver response ({response.TypeCase})", null, null);

    private async Task<DeliverResponse> NextResponseAsync(CancellationToken cancellationToken)
    {
        if (_sent is { } sending)
        {
            _sent = null;
            await sending.ConfigureAwait(false);
        }

        bool more;
        try
        {
            more = await StreamWrites.MoveNextAsync(_call, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            // The stop the caller asked for: grpc-dotnet reports it as Cancelled ("Call canceled by the client") instead
            // of the token's cancellation when the call is disposed while a read is under way.
            throw new OperationCanceledException("the stream was stopped", e, cancellationToken);
        }
        catch (RpcException e) when (!RpcFailure.IsConnectFailure(e))
        {
            throw new DeliverFault(Address, $"stream failed: {RpcFailure.Describe(e, _connection)}", null, e.StatusCode, e);
        }

        if (!more)
        {
            throw new DeliverFault(Address, "stream closed by the peer", null, null);
        }

        return _call.ResponseStream.Current;
    }

    /// <summary>Sends the seek request and, as the peer CLI does, half-closes: nothing more is sent on this stream.</summary>
    private async Task SendSeekAsync(Envelope seek)
    {
        // A write on a call whose transport failed only says "cancelled"; the read that follows reports the real cause.
        if (await StreamWrites.TryWriteAsync(_call.RequestStream, seek, CancellationToken.None).ConfigureAwait(false))
        {
            await StreamWrites.TryCompleteAsync(_call.RequestStream).ConfigureAwait(false);
        }
    }

    /// <summary>Cancels the stream.</summary>
    public void Dispose() => _call.Dispose();
}

/// <summary>
/// What went wrong on a deliver stream, before it is worded for the user: the stream's consumer knows the context
/// (connecting or waiting, for which transaction, sent or not) and turns it into a <see cref="FabricInvokeException"/>.
/// </summary>
internal sealed class DeliverFault : Exception
{
    public DeliverFault(string address, string problem, FabricStatus? status, StatusCode? grpcStatus, Exception? inner = null)
        : base($"{address}: {problem}", inner)
    {
        Address = address;
        Problem = problem;
        Status = status;
        GrpcStatus = grpcStatus;
    }

    public DeliverFault()
        : this(string.Empty, string.Empty, null, null)
    {
    }

    public DeliverFault(string message)
        : this(string.Empty, message, null, null)
    {
    }

    public DeliverFault(string message, Exception inner)
        : this(string.Empty, message, null, null, inner)
    {
    }

    public string Address { get; }

    public string Problem { get; }

    /// <summary>The deliver status the peer answered (FORBIDDEN, NOT_FOUND, SERVICE_UNAVAILABLE, …), if that is the fault.</summary>
    public FabricStatus? Status { get; }

    public StatusCode? GrpcStatus { get; }
}
