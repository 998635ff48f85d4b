'use strict';
// bench/batch.sh's fabric-gateway client: N Puts (`Put <prefix>-<i> v`) with C submits in flight through Org1's peer
// Gateway as Org1 User1 (CORE_PEER_* as `. network.env` exports them); each waits for its commit status. Prints one
// JSON line: tx, ok, failed, seconds, tx_s, p50_ms, p95_ms (latency of one submit, endorse to commit status).
// Usage: node gateway-client.js N C PREFIX [CHANNEL] [CHAINCODE]
const grpc = require('@grpc/grpc-js');
const { connect, signers } = require('@hyperledger/fabric-gateway');
const crypto = require('node:crypto'), fs = require('node:fs'), path = require('node:path');
const [n, c, prefix, channel = 'mychannel', chaincode = 'basic'] = process.argv.slice(2);
const env = process.env, msp = env.CORE_PEER_MSPCONFIGPATH;
const one = dir => fs.readFileSync(path.join(msp, dir, fs.readdirSync(path.join(msp, dir))[0]));
const client = new grpc.Client(env.CORE_PEER_ADDRESS, grpc.credentials.createSsl(fs.readFileSync(env.CORE_PEER_TLS_ROOTCERT_FILE)));
const gateway = connect({ client, identity: { mspId: env.CORE_PEER_LOCALMSPID, credentials: one('signcerts') },
  signer: signers.newPrivateKeySigner(crypto.createPrivateKey(one('keystore'))) });
const contract = gateway.getNetwork(channel).getContract(chaincode);
(async () => {
  const latencies = [], started = process.hrtime.bigint();
  let next = 0, failed = 0;
  const worker = async () => {
    for (let i = next++; i < Number(n); i = next++) {
      const t0 = process.hrtime.bigint();
      try { await contract.submitTransaction('Put', `${prefix}-${i}`, 'v'); latencies.push(Number(process.hrtime.bigint() - t0) / 1e6); }
      catch (e) { failed++; if (failed <= 3) console.error(`tx ${i}: ${e.message}`); }
    }
  };
  await Promise.all(Array.from({ length: Number(c) }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9, q = p => latencies.sort((a, b) => a - b)[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  console.log(JSON.stringify({ tx: Number(n), ok: latencies.length, failed, seconds, tx_s: latencies.length / seconds, p50_ms: q(0.5), p95_ms: q(0.95) }));
  gateway.close(); client.close();
})();
