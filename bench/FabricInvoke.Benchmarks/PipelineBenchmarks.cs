using System.Text;
using BenchmarkDotNet.Attributes;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Transactions;
using Google.Protobuf.WellKnownTypes;

namespace FabricInvoke.Benchmarks;

/// <summary>The client-side CPU work of one invoke: build + sign the proposal, build the deliver request, load the mutual-TLS client certificate.</summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private SigningIdentity _signer = null!;
    private ChaincodeInvocation _invocation = null!;
    private FabricInvoke.Core.Transactions.UnsignedProposal _proposal = null!;
    private ClientCertificateFiles _clientTls = null!;

    [GlobalSetup]
    public void Setup()
    {
        _signer = MspFolder.Load(Path.Combine(AppContext.BaseDirectory, "identity", "msp"), "Org1MSP");
        _invocation = new ChaincodeInvocation("mychannel", "basic",
            [Encoding.UTF8.GetBytes("Put"), Encoding.UTF8.GetBytes("key"), Encoding.UTF8.GetBytes("value")], [], false);
        _proposal = ProposalBuilder.Create(_invocation, _signer.Creator, TxIds.NewNonce(), Timestamp.FromDateTime(DateTime.UtcNow));
        var tls = Path.Combine(AppContext.BaseDirectory, "identity", "tls");
        _clientTls = new ClientCertificateFiles(Path.Combine(tls, "client.crt"), Path.Combine(tls, "client.key"));
    }

    [Benchmark]
    public object BuildProposal() =>
        ProposalBuilder.Create(_invocation, _signer.Creator, TxIds.NewNonce(), Timestamp.FromDateTime(DateTime.UtcNow));

    [Benchmark]
    public object SignProposal() => _proposal.Sign(_signer);

    [Benchmark]
    public object BuildSignedSeekEnvelope() =>
        SeekEnvelopeBuilder.CreateSignedEnvelope("mychannel", _signer, DateTimeOffset.UtcNow, []);

    /// <summary>Once per command since the TLS material is shared; before, once per peer and orderer connection.</summary>
    [Benchmark]
    public void LoadClientCertificate() => TlsFiles.LoadClientCertificate(_clientTls).Dispose();
}
