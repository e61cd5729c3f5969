#!/usr/bin/env node
import { initNetworkCa, issueNodeCertificate } from '../tls/certificates.ts';
import { Command, InvalidArgumentError } from 'commander';
import { join, resolve } from 'node:path';
import { startEmbeddedChain } from '../chain/embedded.ts';
import { embeddedChainDir, loadNodeConfig } from '../config/node-config.ts';
import { DEMO_COMPANY_PREFIX, DEMO_ORGANIZATIONS, startNetwork } from '../network/demo.ts';
import { runSupplyScenario } from '../network/supply-scenario.ts';
import { fetchTrusting } from '../tls/peer-fetch.ts';
import { initBesuNetwork } from '../network/besu/init.ts';
import { startNode } from '../node/start.ts';
import { ORG_KINDS, orgIdOf, type OrgKind } from '../chain/ids.ts';
import { deployCommand, issuerScopeCommand, orgInitCommand, orgRegisterCommand, proposalStepCommand, proposeCommand, voteCommand } from './governance.ts';
import { CREDENTIAL_TYPES, type CredentialType } from '../credentials/types.ts';
import { callNode as callNodeApi } from './node-client.ts';
import { action, untilStopped } from './run.ts';
import { importFiles } from './import.ts';
import { networkCa, nodeTarget, publicTarget } from './node-client.ts';
import { auditProofCommand, verifyAuditCommand, verifyProofCommand, verifyStoreCommand } from './verify.ts';
import { problemOf } from './node-client.ts';
import { signAffiliation } from '../credentials/affiliation.ts';
import { runStory, storyNextSteps } from './story.ts';
import { consentGrant, consentList, consentRevoke, loadPatientKey, masterKeyOf, patientAt, patientKeygen, patientLink } from './consent.ts';
import { myAuditTrail } from './patient-audit.ts';
import { researchAmend, researchCapture, researchEnroll, researchExport, researchImport, researchIntegrity, researchOutcomes, researchRegister, researchSeal, researchShow, researchVerify, researchWithdraw } from './research.ts';
import { supplyCommission, supplyExceptions, supplyVerify } from './supply.ts';
import { claimsAction, claimsImportTable, claimsQueue, claimsSubmit } from './claims.ts';
import { scopeSchema, SENSITIVE_CLASSES } from '../consent/scope.ts';
import { PURPOSES, type PurposeCode } from '../consent/typed-data.ts';
import type { Address, Hex } from 'viem';
import { CarechainError, errorMessage } from '../shared/errors.ts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { UserStore } from '../identity/users.ts';
import { DEMO_PASSWORD, ensureDemoLogins } from './demo-logins.ts';
import { ROLES } from '../identity/principal.ts';
import { backupNode, restoreNode } from '../node/backup.ts';
import { openNodeStorage } from '../node/services.ts';

const program = new Command('carechain')
  .description('Carechain: a permissioned blockchain network for health data')
  .showHelpAfterError();

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

/** Options of every command that talks to a node: where it is and which token to use. */
const nodeOptions = (c: Command) =>
  c
    .requiredOption('--node <url>', 'URL of the node, e.g. http://127.0.0.1:4001')
    .option('--token <token>', 'token (CARECHAIN_TOKEN)')
    .option('--org <slug>', 'read the admin token of this organization from <home>')
    .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain');

const chain = program.command('chain').description('the embedded development chain (Anvil)');
chain
  .command('start')
  .description('start Anvil with its state in <home>/chain, deploying the contracts on first start')
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--port <port>', 'JSON-RPC port on 127.0.0.1', port, 8545)
  .action(
    action(async (opts: { home: string; port: number }) => {
      const c = await startEmbeddedChain({ chainDir: embeddedChainDir(resolve(opts.home)), port: opts.port });
      console.log(`chain ${c.conn.chain.id} listening on ${c.anvil.rpcUrl} (${c.freshDeployment ? 'contracts deployed' : 'deployment reused'})`);
      for (const [name, v] of Object.entries(c.deployment.contracts)) console.log(`  ${name.padEnd(20)} ${v.address}`);
      console.log(`deployment: ${c.deploymentFile}`);
      if (process.send) process.send({ type: 'ready', url: c.anvil.rpcUrl, pid: c.anvil.pid });
      await untilStopped();
      await c.stop();
    }),
  );

chain
  .command('deploy')
  .description('deploy the contracts on any EVM chain (e.g. Besu) and write the deployment file')
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--rpc-url <url>', 'JSON-RPC URL (CARECHAIN_RPC_URL)', process.env.CARECHAIN_RPC_URL)
  .option('--governance-key-file <file>', 'key file of the consortium governance account')
  .option('--admin-transfer-delay <seconds>', 'wait between starting and accepting an admin handover', (v) => Number(v), 2 * 24 * 3600)
  .requiredOption('--out <file>', 'deployment file to write')
  .option('--consortium <addresses>', 'govern by M-of-N member votes with a timelock instead of the governance key: the members\' accounts, comma-separated')
  .option('--quorum <m>', 'votes a proposal needs (with --consortium)', (v) => Number(v))
  .option('--voting-delay <seconds>', 'between a proposal and its vote (with --consortium)', (v) => Number(v), 3600)
  .option('--voting-period <seconds>', 'how long a vote lasts (with --consortium)', (v) => Number(v), 3 * 24 * 3600)
  .option('--timelock-delay <seconds>', 'between a passed vote and its effect (with --consortium)', (v) => Number(v), 2 * 24 * 3600)
  .action(
    action(async (opts: { home: string; rpcUrl?: string; governanceKeyFile?: string; adminTransferDelay: number; out: string; consortium?: string; quorum?: number; votingDelay: number; votingPeriod: number; timelockDelay: number }) => {
      const members = opts.consortium?.split(',').map((m) => m.trim());
      if (members?.some((m) => !/^0x[0-9a-fA-F]{40}$/.test(m))) throw new InvalidArgumentError('--consortium takes addresses (0x…), comma-separated');
      const { consortium: _list, ...rest } = opts;
      await deployCommand({
        ...rest,
        ...(members
          ? { consortium: { members: members as `0x${string}`[], quorum: opts.quorum ?? Math.floor(members.length / 2) + 1, votingDelaySeconds: opts.votingDelay, votingPeriodSeconds: opts.votingPeriod, timelockDelaySeconds: opts.timelockDelay } }
          : {}),
      });
    }),
  );

const governance = program.command('governance').description('M-of-N consortium decisions (a network deployed with --consortium)');
const governanceOptions = (c: Command) =>
  c
    .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
    .option('--rpc-url <url>', 'JSON-RPC URL (CARECHAIN_RPC_URL)', process.env.CARECHAIN_RPC_URL)
    .option('--deployment <file>', 'deployment file (CARECHAIN_DEPLOYMENT)', process.env.CARECHAIN_DEPLOYMENT)
    .option('--governance-key-file <file>', "key file of the member's account (who proposes, votes, queues or executes)");
type GovernanceFlags = { home: string; rpcUrl?: string; deployment?: string; governanceKeyFile?: string };
const deploymentFileOf = (opts: GovernanceFlags) => resolve(opts.deployment ?? join(embeddedChainDir(resolve(opts.home)), 'deployment.json'));
governanceOptions(governance.command('propose').description('propose one call of a registry, e.g. --contract ParticipantRegistry --function suspend --args \'["0x<orgId>","reason"]\''))
  .requiredOption('--contract <name>', 'ParticipantRegistry, CredentialStatus, …')
  .requiredOption('--function <name>', 'the function to call')
  .requiredOption('--args <json>', 'its arguments, a JSON array')
  .requiredOption('--description <text>', 'what the proposal is for (makes it unique)')
  .action(action(async (opts: GovernanceFlags & { contract: string; function: string; args: string; description: string }) => proposeCommand({ ...opts, fn: opts.function, deploymentFile: deploymentFileOf(opts) })));
governanceOptions(governance.command('vote').description('vote on a proposal with your seat'))
  .requiredOption('--proposal <id>', 'proposal id')
  .option('--support <choice>', 'for|against|abstain', 'for')
  .action(action(async (opts: GovernanceFlags & { proposal: string; support: string }) => voteCommand({ ...opts, deploymentFile: deploymentFileOf(opts) })));
for (const step of ['queue', 'execute', 'status'] as const) {
  governanceOptions(governance.command(step).description(step === 'queue' ? 'queue a passed proposal in the timelock' : step === 'execute' ? 'run a queued proposal after its delay' : "a proposal's state"))
    .requiredOption('--proposal <id>', 'proposal id')
    .action(action(async (opts: GovernanceFlags & { proposal: string }) => proposalStepCommand({ ...opts, step, deploymentFile: deploymentFileOf(opts) })));
}

const org = program.command('org').description('organization keys and registration');
org
  .command('init')
  .description("create an organization's key file (signing + encryption keys)")
  .requiredOption('--org <slug>', 'organization slug')
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--key-file <file>', 'key file (default <home>/orgs/<org>/keys.json)')
  .action(action(async (opts: { org: string; home: string; keyFile?: string }) => orgInitCommand({ keyFile: resolve(opts.keyFile ?? join(opts.home, 'orgs', opts.org, 'keys.json')) })));
org
  .command('register')
  .description('register an organization in the ParticipantRegistry (governance)')
  .requiredOption('--org <slug>', 'organization slug')
  .requiredOption('--kind <kind>', ORG_KINDS.join('|'))
  .requiredOption('--name <name>', 'display name')
  .requiredOption('--endpoint <url>', "URL of the organization's node")
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--rpc-url <url>', 'JSON-RPC URL (CARECHAIN_RPC_URL)', process.env.CARECHAIN_RPC_URL)
  .option('--deployment <file>', 'deployment file (CARECHAIN_DEPLOYMENT)', process.env.CARECHAIN_DEPLOYMENT)
  .option('--key-file <file>', "the organization's key file (default <home>/orgs/<org>/keys.json)")
  .option('--governance-key-file <file>', 'key file of the consortium governance account')
  .option('--fund', 'send the signer 100 ETH for gas (development chains)', false)
  .action(
    action(async (opts: { org: string; kind: string; name: string; endpoint: string; home: string; rpcUrl?: string; deployment?: string; keyFile?: string; governanceKeyFile?: string; fund: boolean }) => {
      if (!ORG_KINDS.includes(opts.kind as OrgKind)) throw new InvalidArgumentError(`--kind must be one of ${ORG_KINDS.join(', ')}`);
      await orgRegisterCommand({
        ...opts,
        slug: opts.org,
        kind: opts.kind as OrgKind,
        keyFile: resolve(opts.keyFile ?? join(opts.home, 'orgs', opts.org, 'keys.json')),
        deploymentFile: resolve(opts.deployment ?? join(embeddedChainDir(resolve(opts.home)), 'deployment.json')),
      });
    }),
  );

const node = program.command('node').description("an organization's node");
node
  .command('start')
  .description('start the HTTP API of one organization')
  .option('--org <slug>', 'organization slug (CARECHAIN_ORG)')
  .option('--home <dir>', 'network directory (CARECHAIN_HOME, default .carechain)')
  .option('--data-dir <dir>', 'node data directory (default <home>/orgs/<org>)')
  .option('--database <url>', 'postgres:// URL of the node database (CARECHAIN_DATABASE; default the embedded SQLite file)')
  .option('--host <host>', 'listen address (default 127.0.0.1)')
  .option('--port <port>', 'listen port (default 4000)')
  .option('--rpc-url <url>', 'JSON-RPC URL of the ledger (CARECHAIN_RPC_URL; default: the embedded chain)')
  .option('--deployment <file>', 'deployment file (CARECHAIN_DEPLOYMENT)')
  .option('--key-file <file>', 'organization key file (CARECHAIN_KEY_FILE)')
  .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent')
  .option('--anchor-batch-size <n>', 'anchor the record log every n versions (default 10000)')
  .option('--anchor-interval-ms <ms>', '... or after this long with anything new (default 5000)')
  .option('--expensive-per-minute <n>', 'Bundles, $everything, audit exports, record fetches per caller a minute (default 1200)')
  .option('--request-timeout-ms <ms>', 'a request must arrive whole within this (default 30000)')
  .option('--confirmations <n>', 'index a block once n blocks are built on it (CARECHAIN_CONFIRMATIONS; default 0: instant finality)')
  .option('--max-connections <n>', 'open connections at most (default 1000)')
  .option('--max-bundle-entries <n>', 'entries of one transaction or batch Bundle (default 2000)')
  .option('--max-bundle-bytes <n>', 'bytes of one Bundle request (default 16777216)')
  .option('--max-everything-count <n>', 'resources in one page of Patient/$everything (default 1000)')
  .option('--tls', 'serve HTTPS and call peers over TLS trusting only the network CA (CARECHAIN_TLS)')
  .option('--config <file>', 'JSON config file (CARECHAIN_CONFIG)')
  .action(
    action(async (flags: Record<string, string | undefined>) => {
      const config = loadNodeConfig({
        org: flags.org,
        home: flags.home,
        dataDir: flags.dataDir,
        host: flags.host,
        port: flags.port,
        rpcUrl: flags.rpcUrl,
        deploymentFile: flags.deployment,
        keyFile: flags.keyFile,
        logLevel: flags.logLevel,
        anchorBatchSize: flags.anchorBatchSize,
        anchorIntervalMs: flags.anchorIntervalMs,
        expensivePerMinute: flags.expensivePerMinute,
        requestTimeoutMs: flags.requestTimeoutMs,
        confirmations: flags.confirmations,
        maxConnections: flags.maxConnections,
        maxBundleEntries: flags.maxBundleEntries,
        maxBundleBytes: flags.maxBundleBytes,
        maxEverythingCount: flags.maxEverythingCount,
        tls: flags.tls as boolean | undefined,
        database: flags.database,
        config: flags.config,
      });
      const running = await startNode(config);
      if (process.send) process.send({ type: 'ready', url: running.url, pid: process.pid });
      const why = await untilStopped();
      running.app.log.info({ why }, 'stopping');
      await running.stop();
    }),
  );

program
  .command('verify')
  .description("check an organization's whole record store against the roots anchored on the chain")
  .requiredOption('--org <slug>', 'organization slug')
  .option('--home <dir>', 'network directory (CARECHAIN_HOME, default .carechain)')
  .option('--data-dir <dir>', 'node data directory')
  .option('--database <url>', 'postgres:// URL of the node database (CARECHAIN_DATABASE; default the embedded SQLite file)')
  .option('--rpc-url <url>', 'JSON-RPC URL of the ledger')
  .option('--deployment <file>', 'deployment file')
  .option('--key-file <file>', 'organization key file')
  .action(
    action(async (flags: Record<string, string | undefined>) => {
      const config = loadNodeConfig({ org: flags.org, home: flags.home, dataDir: flags.dataDir, rpcUrl: flags.rpcUrl, deploymentFile: flags.deployment, keyFile: flags.keyFile, database: flags.database });
      const report = await verifyStoreCommand(config);
      if (!report.ok) process.exit(1);
    }),
  );

program
  .command('backup')
  .description("online backup of an organization's node: database (with the transaction journal), key file, admin token, TLS files")
  .requiredOption('--org <slug>', 'organization slug')
  .requiredOption('--out <dir>', 'an empty directory to write the backup to (it holds the keys: keep it safe)')
  .option('--home <dir>', 'network directory (CARECHAIN_HOME, default .carechain)')
  .option('--data-dir <dir>', 'node data directory')
  .option('--key-file <file>', 'organization key file')
  .option('--database <url>', 'postgres:// URL of the node database (CARECHAIN_DATABASE; default the embedded SQLite file)')
  .action(
    action(async (flags: Record<string, string | undefined>) => {
      const config = loadNodeConfig({ org: flags.org, home: flags.home, dataDir: flags.dataDir, keyFile: flags.keyFile, database: flags.database });
      const storage = await openNodeStorage(config);
      try {
        const m = await backupNode(config, storage, flags.out!);
        console.log(`backed up ${m.org} (${m.engine}): record log ${m.logs.records} entries, audit log ${m.logs.audit} entries, to ${flags.out}`);
      } finally {
        await storage.close();
      }
    }),
  );

program
  .command('restore')
  .description('restore a backup onto a fresh data directory (and, for PostgreSQL, an empty database); then run verify and audit verify')
  .requiredOption('--org <slug>', 'organization slug')
  .requiredOption('--from <dir>', 'a directory written by `carechain backup`')
  .option('--home <dir>', 'network directory (CARECHAIN_HOME, default .carechain)')
  .option('--data-dir <dir>', 'node data directory to create')
  .option('--database <url>', 'postgres:// URL of an empty database to restore into (CARECHAIN_DATABASE)')
  .action(
    action(async (flags: Record<string, string | undefined>) => {
      const config = loadNodeConfig({ org: flags.org, home: flags.home, dataDir: flags.dataDir, database: flags.database });
      const m = await restoreNode(config, flags.from!);
      console.log(`restored ${m.org} (${m.engine}) as of ${m.takenAt} into ${config.dataDir}: now run \`carechain verify\` and \`carechain audit verify\``);
    }),
  );

const user = program.command('user').description("the node's local users");
user
  .command('add')
  .description('add a user (password from CARECHAIN_PASSWORD or stdin)')
  .requiredOption('--org <slug>', 'organization slug')
  .requiredOption('--username <name>', 'user name')
  .requiredOption('--role <roles>', `comma-separated: ${ROLES.join(', ')}`)
  .option('--practitioner <ref>', 'the Practitioner this user acts as, e.g. Practitioner/123')
  .option('--home <dir>', 'network directory (CARECHAIN_HOME, default .carechain)')
  .option('--data-dir <dir>', 'node data directory')
  .option('--database <url>', 'postgres:// URL of the node database (CARECHAIN_DATABASE; default the embedded SQLite file)')
  .addHelpText('after', "\nExample:\n  CARECHAIN_PASSWORD='correct horse battery' carechain user add --org st-mary --username dr.house --role clinician --practitioner Practitioner/house")
  .action(
    action(async (flags: { org: string; username: string; role: string; practitioner?: string; home?: string; dataDir?: string; database?: string }) => {
      const config = loadNodeConfig({ org: flags.org, home: flags.home, dataDir: flags.dataDir, database: flags.database });
      // Refuse to create a database no node reads: the organization must exist in this home.
      if (!config.database && !existsSync(config.keyFile)) {
        throw new CarechainError(`no organization "${flags.org}" in ${config.home} (no ${config.keyFile}): start the network first (npm start), or pass the --home / --data-dir it runs with`, 2);
      }
      const password = process.env.CARECHAIN_PASSWORD ?? readFileSync(0, 'utf8').trim();
      const storage = await openNodeStorage(config);
      try {
        const u = await new UserStore(storage).add({ username: flags.username, password, roles: flags.role.split(',') as never, practitioner: flags.practitioner });
        console.log(`added ${u.username} (${u.roles.join(', ')})${u.practitioner ? ` acting as ${u.practitioner}` : ''}`);
      } finally {
        await storage.close();
      }
    }),
  );

const patient = program.command('patient').description("a patient's own key");
patient
  .command('keygen')
  .description('create a patient master key file (sealed with CARECHAIN_PATIENT_PASSPHRASE when set); each custodian knows you under a different address derived from it')
  .requiredOption('--out <file>', 'key file to write (mode 0600)')
  .addHelpText('after', '\nExample:\n  carechain patient keygen --out me.key\n  carechain patient link --node https://localhost:8443 --patient-key me.key --patient-id 123 --code ABCD2345')
  .action(action(async (opts: { out: string }) => {
    patientKeygen(opts.out, process.env.CARECHAIN_PATIENT_PASSPHRASE);
    console.log(`wrote ${opts.out}: keep it secret; link it at each custodian with \`carechain patient link\``);
  }));
patient
  .command('link')
  .description('link your key at this custodian to your record, with the activation code the custodian sent to your contact on file')
  .requiredOption('--node <url>', 'the custodian node')
  .option('--home <dir>', 'network home (for its TLS CA)', '.carechain')
  .requiredOption('--patient-key <file>', 'your master key file')
  .requiredOption('--patient-id <id>', 'your Patient id at this custodian')
  .requiredOption('--code <code>', 'the activation code you received')
  .action(action(async (opts: { node: string; home: string; patientKey: string; patientId: string; code: string }) => {
    const master = loadPatientKey(opts.patientKey, process.env.CARECHAIN_PATIENT_PASSPHRASE);
    const r = await patientLink(publicTarget(opts), master, { patientId: opts.patientId, code: opts.code });
    console.log(`linked: your address at this custodian is ${r.address}`);
  }));
patient
  .command('address')
  .description('your address at one custodian (derived from your master key; different at each)')
  .requiredOption('--node <url>', 'the custodian node')
  .option('--home <dir>', 'network home (for its TLS CA)', '.carechain')
  .requiredOption('--patient-key <file>', 'your master key file')
  .action(action(async (opts: { node: string; home: string; patientKey: string }) => {
    const { account } = await patientAt(publicTarget(opts), loadPatientKey(opts.patientKey, process.env.CARECHAIN_PATIENT_PASSPHRASE));
    console.log(account.address);
  }));

const exchangeCmd = program.command('exchange').description("records from other organizations, under the patient's consent");
nodeOptions(exchangeCmd.command('fetch').description("fetch a patient's records from the custodians that granted this organization access (or, with --emergency-reason, break the glass), each verified against the ledger"))
  .requiredOption('--patient <address>', "the patient's address (here, or at a custodian, as the patient gave it)")
  .option('--purpose <code>', PURPOSES.join('|'), 'TREAT')
  .option('--types <types>', 'limit to these resource types (a grant of exactly this scope is used)')
  .option('--sensitive <classes>', `with --types: sensitive classes the grant names (${SENSITIVE_CLASSES.join(', ')})`)
  .option('--practitioner <ref>', 'as the operator: the practitioner to ask for (a clinician asks as themself)')
  .option('--emergency-reason <text>', 'break-glass: with --purpose ETREAT, the clinical reason (flagged on the ledger, reviewed)')
  .option('--out <file>', 'write the verified resources as a FHIR Bundle')
  .addHelpText('after', '\nExamples:\n  carechain exchange fetch --node https://127.0.0.1:4002 --org riverside --patient 0xAbC… --types Observation\n  carechain exchange fetch --node https://127.0.0.1:4002 --org riverside --patient 0xAbC… --purpose ETREAT \\\n    --practitioner Practitioner/lee --emergency-reason "unconscious in the ER, allergies unknown"')
  .action(
    action(async (opts: { node: string; token?: string; org?: string; home: string; patient: string; purpose: string; types?: string; sensitive?: string; practitioner?: string; emergencyReason?: string; out?: string }) => {
      if (!/^0x[0-9a-fA-F]{40}$/.test(opts.patient)) throw new InvalidArgumentError('--patient must be an address (0x + 40 hex digits)');
      if (!PURPOSES.includes(opts.purpose as never)) throw new InvalidArgumentError(`--purpose must be one of ${PURPOSES.join(', ')}`);
      const scope = opts.types ? { resourceTypes: opts.types.split(','), ...(opts.sensitive ? { sensitive: opts.sensitive.split(',') } : {}) } : undefined;
      const body = { patient: opts.patient, purpose: opts.purpose, ...(scope ? { scope } : {}), ...(opts.practitioner ? { practitioner: opts.practitioner } : {}), ...(opts.emergencyReason ? { emergencyReason: opts.emergencyReason } : {}) };
      const r = await callNodeApi(nodeTarget(opts), 'POST', '/api/exchange/fetch', body);
      if (r.status !== 200) throw new CarechainError(`fetch refused: HTTP ${r.status}: ${problemOf(r.json)}`);
      const res = r.json as { entry: { resource: { resourceType: string; id: string } }[]; custodians: { orgId: string; status: number; released: number; pendingAnchor: number; breakGlass?: { accessId: string } }[]; problems: string[] };
      for (const c of res.custodians) console.log(`custodian ${c.orgId}: HTTP ${c.status}, ${c.released} verified${c.pendingAnchor ? `, ${c.pendingAnchor} not anchored yet` : ''}${c.breakGlass ? `, break-glass ${c.breakGlass.accessId}` : ''}`);
      for (const p of res.problems) console.log(`problem: ${p}`);
      const byType = new Map<string, number>();
      for (const e of res.entry) byType.set(e.resource.resourceType, (byType.get(e.resource.resourceType) ?? 0) + 1);
      console.log(`${res.entry.length} resources verified against the ledger${byType.size ? `: ${[...byType].map(([t, n]) => `${n} ${t}`).join(', ')}` : ''}`);
      if (opts.out) writeFileSync(opts.out, JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: res.entry }, null, 2) + '\n', { mode: 0o600 });
      if (res.entry.length === 0) process.exitCode = 1;
    }),
  );

const consentCmd = program.command('consent').description("a patient's consent, signed with their key and relayed by a node");
nodeOptions(consentCmd.command('grant').description('grant an organization access to a scope of your records'))
  .requiredOption('--patient-key <file>', 'patient (or proxy) key file')
  .option('--for <address>', 'as a proxy: the patient the grant is for')
  .requiredOption('--grantee <org>', 'organization slug or id')
  .option('--practitioner <ref>', 'only this practitioner there, e.g. Practitioner/dr-lee')
  .requiredOption('--types <types>', 'comma-separated resource types, e.g. Observation,Condition')
  .option('--sensitive <classes>', `comma-separated sensitive classes to release: ${SENSITIVE_CLASSES.join(', ')}`)
  .option('--purpose <code>', PURPOSES.join('|'), 'TREAT')
  .option('--days <n>', 'how long the grant lasts', (v) => Number(v), 90)
  .action(
    action(async (opts: { node: string; token?: string; org?: string; home: string; patientKey: string; for?: string; grantee: string; practitioner?: string; types: string; sensitive?: string; purpose: string; days: number }) => {
      if (!PURPOSES.includes(opts.purpose as never)) throw new InvalidArgumentError(`--purpose must be one of ${PURPOSES.join(', ')}`);
      const scope = scopeSchema.safeParse({ resourceTypes: opts.types.split(','), ...(opts.sensitive ? { sensitive: opts.sensitive.split(',') } : {}) });
      if (!scope.success) throw new CarechainError(`invalid scope: ${scope.error.issues[0]!.path.join('.')}: ${scope.error.issues[0]!.message}`, 2);
      const signer = loadPatientKey(opts.patientKey, process.env.CARECHAIN_PATIENT_PASSPHRASE);
      const r = await consentGrant(nodeTarget(opts), signer, { patient: opts.for as Address | undefined, grantee: opts.grantee, practitioner: opts.practitioner, scope: scope.data, purpose: opts.purpose as PurposeCode, days: opts.days });
      console.log(`granted ${r.grantId} (block ${r.blockNumber})${r.notice && !r.notice.delivered ? `; the grantee was not told yet: ${r.notice.problem}` : ''}`);
    }),
  );
nodeOptions(consentCmd.command('revoke').description('revoke a grant (effective from its block)'))
  .requiredOption('--patient-key <file>', 'patient (or proxy) key file')
  .option('--for <address>', 'as a proxy: the patient')
  .requiredOption('--grant <id>', 'grant id')
  .action(
    action(async (opts: { node: string; token?: string; org?: string; home: string; patientKey: string; for?: string; grant: string }) => {
      if (!/^0x[0-9a-fA-F]{64}$/.test(opts.grant)) throw new InvalidArgumentError('--grant must be a 32-byte hex id');
      const signer = loadPatientKey(opts.patientKey, process.env.CARECHAIN_PATIENT_PASSPHRASE);
      const r = await consentRevoke(nodeTarget(opts), signer, opts.grant as Hex, opts.for as Address | undefined);
      console.log(`revoked ${opts.grant} (block ${r.blockNumber})`);
    }),
  );
nodeOptions(consentCmd.command('list').description("a patient's grants, from the node's index of the ledger"))
  .option('--patient-key <file>', 'patient key file')
  .option('--patient <address>', 'patient address')
  .action(
    action(async (opts: { node: string; token?: string; org?: string; home: string; patientKey?: string; patient?: string }) => {
      const address = (opts.patient ?? (opts.patientKey ? (await patientAt(nodeTarget(opts), loadPatientKey(opts.patientKey, process.env.CARECHAIN_PATIENT_PASSPHRASE))).account.address : undefined)) as Address | undefined;
      if (!address) throw new CarechainError('give --patient <address> or --patient-key <file>', 2);
      const r = await consentList(nodeTarget(opts), address);
      console.log(`as of block ${r.indexedBlock}:`);
      for (const g of r.grants as { grant_id: string; grantee: string; purpose: string; expiry: number; revoked_block: number | null }[]) {
        const state = g.revoked_block !== null ? `revoked in block ${g.revoked_block}` : g.expiry * 1000 < Date.now() ? 'expired' : `until ${new Date(g.expiry * 1000).toISOString()}`;
        console.log(`  ${g.grant_id}  ${g.purpose.padEnd(7)} grantee ${g.grantee}  ${state}`);
      }
    }),
  );

const issuer = program.command('issuer').description('credential issuers (governance)');
issuer
  .command('scope')
  .description('allow (or with --deny, withdraw) an issuer to issue a credential type in a jurisdiction')
  .requiredOption('--issuer <slug>', 'issuing organization (licensing board, credentialing body)')
  .requiredOption('--type <type>', CREDENTIAL_TYPES.join('|'))
  .requiredOption('--jurisdiction <code>', 'e.g. US-CA')
  .option('--deny', 'withdraw the scope', false)
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--rpc-url <url>', 'JSON-RPC URL (CARECHAIN_RPC_URL)', process.env.CARECHAIN_RPC_URL)
  .option('--deployment <file>', 'deployment file (CARECHAIN_DEPLOYMENT)', process.env.CARECHAIN_DEPLOYMENT)
  .option('--governance-key-file <file>', 'key file of the consortium governance account')
  .action(
    action(async (opts: { issuer: string; type: string; jurisdiction: string; deny: boolean; home: string; rpcUrl?: string; deployment?: string; governanceKeyFile?: string }) => {
      if (!CREDENTIAL_TYPES.includes(opts.type as never)) throw new InvalidArgumentError(`--type must be one of ${CREDENTIAL_TYPES.join(', ')}`);
      await issuerScopeCommand({
        ...opts,
        type: opts.type as CredentialType,
        allowed: !opts.deny,
        deploymentFile: resolve(opts.deployment ?? join(embeddedChainDir(resolve(opts.home)), 'deployment.json')),
      });
    }),
  );

const credential = program.command('credential').description('practitioner credentials (W3C VC 2.0, status on the ledger)');
const credentialCall = async (opts: { node: string; token?: string; org?: string; home: string }, method: string, path: string, body?: unknown) => {
  const r = await callNodeApi(nodeTarget(opts), method, path, body);
  if (r.status >= 300) throw new CarechainError(`HTTP ${r.status}: ${problemOf(r.json)}`);
  return r.json;
};
nodeOptions(credential.command('issue').description("issue a credential from a JSON description (issuer's node)"))
  .requiredOption('--input <file>', "JSON: {type, jurisdiction, subject: {practitioner, name, holder (the practitioner's key address), npi?}, number, specialty?, validFrom, validUntil}")
  .requiredOption('--out <file>', 'where to write the credential (compact JWS)')
  .action(
    action(async (opts: { node: string; token?: string; org?: string; home: string; input: string; out: string }) => {
      const r = await credentialCall(opts, 'POST', '/api/credentials/issue', JSON.parse(readFileSync(opts.input, 'utf8')));
      writeFileSync(opts.out, `${r.credential}\n`, { mode: 0o600 });
      console.log(`issued ${r.credentialId} -> ${opts.out}`);
    }),
  );
nodeOptions(credential.command('present').description("record a practitioner's licence at their organization's node, with the practitioner's signed affiliation to it (on the ledger)"))
  .requiredOption('--file <file>', 'the credential (compact JWS)')
  .requiredOption('--holder-key <file>', "the practitioner's key file (the key the credential names; `carechain patient keygen` makes one)")
  .option('--days <n>', 'how long the affiliation lasts', (v) => Number(v), 365)
  .addHelpText('after', '\nExample:\n  carechain credential present --node https://127.0.0.1:4001 --org st-mary --file house.jws --holder-key house.key')
  .action(
    action(async (opts: { node: string; token?: string; org?: string; home: string; file: string; holderKey: string; days: number }) => {
      const holder = loadPatientKey(opts.holderKey, process.env.CARECHAIN_PATIENT_PASSPHRASE);
      const terms = await credentialCall(opts, 'GET', `/api/credentials/affiliation-terms/${holder.address}`);
      const jws = readFileSync(opts.file, 'utf8').trim();
      const credentialId = (JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as { credentialStatus?: { id?: Hex } }).credentialStatus?.id;
      if (!credentialId) throw new CarechainError(`${opts.file} is not a Carechain credential`, 2);
      const until = BigInt(Math.floor(Date.now() / 1000 + opts.days * 86400));
      const signature = await signAffiliation(holder, { ...terms.domain, chainId: Number(terms.domain.chainId) }, { organization: terms.organization, credentialId, until, nonce: BigInt(terms.nonce) });
      const r = await credentialCall(opts, 'POST', '/api/credentials/present', { credential: jws, affiliation: { until: String(until), nonce: terms.nonce, signature } });
      console.log(JSON.stringify(r, null, 2));
    }),
  );
nodeOptions(credential.command('verify').description('verify a credential: signature, issuer authority, validity, ledger status and document, exclusions'))
  .requiredOption('--file <file>', 'the credential (compact JWS)')
  .action(
    action(async (opts: { node: string; token?: string; org?: string; home: string; file: string }) => {
      const r = await credentialCall(opts, 'POST', '/api/credentials/verify', { credential: readFileSync(opts.file, 'utf8').trim() });
      console.log(JSON.stringify({ valid: r.valid, status: r.status, issuer: r.issuer, problems: r.problems, indexedBlock: r.indexedBlock }, null, 2));
      if (!r.valid) process.exit(1);
    }),
  );
for (const name of ['suspend', 'reinstate', 'revoke'] as const) {
  nodeOptions(credential.command(name).description(`${name} a credential (its issuer only; effective from its block)`))
    .requiredOption('--id <credentialId>', 'credential id (0x…)')
    .action(
      action(async (opts: { node: string; token?: string; org?: string; home: string; id: string }) => {
        const r = await credentialCall(opts, 'POST', `/api/credentials/${opts.id.toLowerCase()}/${name}`);
        console.log(`${opts.id}: ${r.status} (block ${r.blockNumber})`);
      }),
    );
}
nodeOptions(credential.command('list').description("the organization's practitioner directory with verification state"))
  .action(
    action(async (opts: { node: string; token?: string; org?: string; home: string }) => {
      const r = await credentialCall(opts, 'GET', '/api/credentials/directory');
      for (const p of r.practitioners) console.log(`${p.practitioner.padEnd(28)} ${p.type.padEnd(20)} ${p.valid ? 'valid' : `NOT VALID: ${p.problems.join('; ')}`}`);
    }),
  );
nodeOptions(program.command('exclusions').description('exclusion lists (OIG LEIE)').command('import <file>').description('import the OIG LEIE exclusion list (CSV)'))
  .action(
    action(async (file: string, opts: { node: string; token?: string; org?: string; home: string }) => {
      const target = nodeTarget(opts);
      const res = await (target.fetch ?? fetch)(`${target.url}/api/exclusions/import`, { method: 'POST', headers: { authorization: `Bearer ${target.token}`, 'content-type': 'text/csv' }, body: readFileSync(file, 'utf8') });
      const json = (await res.json()) as { imported?: number };
      if (res.status !== 200) throw new CarechainError(`HTTP ${res.status}: ${problemOf(json)}`);
      console.log(`imported ${json.imported} exclusions`);
    }),
  );

type NodeOpts = { node: string; token?: string; org?: string; home: string };
const claims = program.command('claims').description('insurance claims: submit, special-investigations queue, review, pay; NCCI PTP and MUE tables');
nodeOptions(claims.command('import-ncci <file>').description('import an NCCI procedure-to-procedure edit file as CMS publishes it (ccipra-v….txt, ccioph-v….txt)')).action(
  action(async (file: string, opts: NodeOpts) => claimsImportTable(nodeTarget(opts), 'ncci-ptp', file)),
);
nodeOptions(claims.command('import-mue <file>').description('import a medically unlikely edits file as CMS publishes it (CSV)')).action(
  action(async (file: string, opts: NodeOpts) => claimsImportTable(nodeTarget(opts), 'mue', file)),
);
nodeOptions(claims.command('submit <claim.json>').description("send a FHIR Claim to an insurer's node (registered on the ledger first)"))
  .requiredOption('--insurer <orgId>', "the insurer's organization id")
  .requiredOption('--patient <address>', "the patient's address (their salted commitment goes on the ledger)")
  .option('--credential <provider=credentialId...>', "a practitioner's licence credential id, checked at the date of service")
  .option('--consent <file.json>', "the patient's HPAYMT grant to the insurer as they disclosed it: { grantId, salt, scope }; without it the insurer gets the claim only")
  .action(action(async (file: string, opts: NodeOpts & { insurer: string; patient: string; credential?: string[]; consent?: string }) => claimsSubmit(nodeTarget(opts), { file, ...opts })));
nodeOptions(claims.command('queue').description('the special-investigations queue: pended, appealed and disputed claims with their flags'))
  .option('--json', 'print the whole queue')
  .action(action(async (opts: NodeOpts & { json?: boolean }) => claimsQueue(nodeTarget(opts), opts.json ?? false)));
nodeOptions(claims.command('review <claimId>').description('decide a queued claim (an audited override of the rules)'))
  .requiredOption('--decision <approved|denied>', 'approved or denied')
  .requiredOption('--reason <text>', 'why (kept in the audit trail)')
  .action(action(async (id: string, opts: NodeOpts & { decision: string; reason: string }) => claimsAction(nodeTarget(opts), id, 'review', { decision: opts.decision, reason: opts.reason })));
nodeOptions(claims.command('pay <claimId>').description('pay an approved claim')).action(action(async (id: string, opts: NodeOpts) => claimsAction(nodeTarget(opts), id, 'pay')));
for (const a of ['void', 'appeal', 'respond'] as const) {
  nodeOptions(claims.command(`${a} <claimId>`).description(`${a} a claim this node submitted`))
    .requiredOption('--text <text>', 'the reason, appeal or response')
    .action(action(async (id: string, opts: NodeOpts & { text: string }) => claimsAction(nodeTarget(opts), id, a, { text: opts.text })));
}

const supply = program.command('supply').description('drug and device supply chain (DSCSA): verification, commissioning, exceptions');
nodeOptions(supply.command('verify <barcode>').description('verify a product by its barcode (DataMatrix, Digital Link, EPC URN); exit code 1 if not verified'))
  .option('--sender <orgId>', 'the organization that presented the product (checked as its holder)')
  .option('--parent <barcode>', 'the case or pallet it came in (checked as its container)')
  .option('--json', 'print the whole answer (LMS fields, findings, evidence)')
  .action(
    action(async (barcode: string, opts: { node: string; token?: string; org?: string; home: string; sender?: string; parent?: string; json?: boolean }) => {
      if ((await supplyVerify(nodeTarget(opts), barcode, opts)) !== 0) process.exit(1);
    }),
  );
nodeOptions(supply.command('commission').description('commission a lot of serialized items (a Merkle root per batch on the ledger)'))
  .requiredOption('--gtin <gtin>', 'GTIN-14 (or 8, 12, 13)')
  .requiredOption('--lot <lot>', 'lot number')
  .requiredOption('--expiry <date>', 'expiry YYYY-MM-DD')
  .requiredOption('--count <n>', 'number of serials to generate', (v) => Number(v))
  .option('--case-size <n>', 'items per case', (v) => Number(v))
  .option('--pallet-size <n>', 'cases per pallet', (v) => Number(v))
  .option('--product <name>', 'product name')
  .action(
    action(async (opts: { node: string; token?: string; org?: string; home: string; gtin: string; lot: string; expiry: string; count: number; caseSize?: number; palletSize?: number; product?: string }) => {
      const { gtin, lot, expiry, count, caseSize, palletSize, product } = opts;
      await supplyCommission(nodeTarget(opts), { gtin, lot, expiry, count, ...(caseSize ? { caseSize } : {}), ...(palletSize ? { palletSize } : {}), ...(product ? { product } : {}) });
    }),
  );
nodeOptions(supply.command('exceptions').description('list supply exceptions with their deadlines'))
  .option('--kind <kind>', 'product-without-data, data-without-product, aggregation-mismatch, unknown-gln, late-data, suspect-product')
  .option('--state <state>', 'open, investigating, quarantined, …')
  .action(
    action(async (opts: { node: string; token?: string; org?: string; home: string; kind?: string; state?: string }) => {
      await supplyExceptions(nodeTarget(opts), opts);
    }),
  );

const research = program.command('research').description('clinical studies: registration before enrolment, amendments, consent, data integrity, outcome checks, de-identified exports');
nodeOptions(research.command('register').description('store a ResearchStudy and anchor its protocol version 1 (before any enrolment)'))
  .requiredOption('--study <file>', 'the ResearchStudy (FHIR JSON)')
  .requiredOption('--protocol <file>', '{ "document" | "documentFile", "outcomes": [{name, measure, timeFrame, kind}], "scope": {resourceTypes} }')
  .action(action(async (opts: NodeOpts & { study: string; protocol: string }) => researchRegister(nodeTarget(opts), opts.study, opts.protocol)));
nodeOptions(research.command('amend <studyId>').description('anchor a new protocol version with its reason'))
  .requiredOption('--protocol <file>', 'the whole new version (as for register)')
  .requiredOption('--reason <text>', 'why the protocol changes')
  .option('--reconsent', 'subjects must consent again (forced anyway when the data scope widens)')
  .action(action(async (studyId: string, opts: NodeOpts & { protocol: string; reason: string; reconsent?: boolean }) => researchAmend(nodeTarget(opts), studyId, opts.protocol, opts.reason, !!opts.reconsent)));
nodeOptions(research.command('show <studyId>').description("the registry entry: versions checked against the ledger, subjects, batches, datasets"))
  .action(action(async (studyId: string, opts: NodeOpts) => researchShow(nodeTarget(opts), studyId)));
nodeOptions(research.command('import <studyId>').description("take in a study another organization registered (its versions checked against the ledger)"))
  .requiredOption('--from <url>', "the sponsor's node")
  .requiredOption('--from-token <token>', "a token at the sponsor's node")
  .action(action(async (studyId: string, opts: NodeOpts & { from: string; fromToken: string }) => researchImport(nodeTarget(opts), nodeTarget({ node: opts.from, token: opts.fromToken, home: opts.home }), studyId)));
nodeOptions(research.command('enroll <studyId>').description("enrol (or re-consent) a patient under their research consent for the version in force"))
  .requiredOption('--patient <id>', 'Patient id')
  .requiredOption('--grant <grantId>', "the patient's research consent grant")
  .action(action(async (studyId: string, opts: NodeOpts & { patient: string; grant: string }) => researchEnroll(nodeTarget(opts), studyId, opts.patient, opts.grant)));
nodeOptions(research.command('withdraw <studyId>').description("record a patient's withdrawal"))
  .requiredOption('--patient <id>', 'Patient id')
  .action(action(async (studyId: string, opts: NodeOpts & { patient: string }) => researchWithdraw(nodeTarget(opts), studyId, opts.patient)));
nodeOptions(research.command('capture <studyId>').description("capture a subject's Observations / QuestionnaireResponses"))
  .requiredOption('--patient <id>', 'Patient id')
  .requiredOption('--file <file>', 'JSON array, Bundle or NDJSON')
  .action(action(async (studyId: string, opts: NodeOpts & { patient: string; file: string }) => researchCapture(nodeTarget(opts), studyId, opts.patient, opts.file)));
nodeOptions(research.command('seal <studyId>').description('anchor the captured entries not yet anchored as one batch'))
  .action(action(async (studyId: string, opts: NodeOpts) => researchSeal(nodeTarget(opts), studyId)));
nodeOptions(research.command('integrity <studyId>').description("the monitor's report (exit code 1 on altered or late entries or a root mismatch)"))
  .option('--json', 'print the whole report')
  .action(action(async (studyId: string, opts: NodeOpts & { json?: boolean }) => {
    if ((await researchIntegrity(nodeTarget(opts), studyId, !!opts.json)) !== 0) process.exit(1);
  }));
nodeOptions(research.command('outcomes <studyId>').description('check reported outcomes against the pre-specified ones (exit code 1 on a major finding)'))
  .requiredOption('--reported <file>', '[{name, measure, timeFrame, kind, registeredId?, declaredAsNew?}]')
  .option('--json', 'print the findings with their evidence')
  .action(action(async (studyId: string, opts: NodeOpts & { reported: string; json?: boolean }) => {
    if ((await researchOutcomes(nodeTarget(opts), studyId, opts.reported, !!opts.json)) !== 0) process.exit(1);
  }));
nodeOptions(research.command('export <studyId>').description('export the consenting subjects\' data, Safe Harbor de-identified; the manifest is anchored'))
  .requiredOption('--out <file>', 'NDJSON file (the manifest goes to <file>.manifest.json)')
  .action(action(async (studyId: string, opts: NodeOpts & { out: string }) => researchExport(nodeTarget(opts), studyId, opts.out)));
research
  .command('verify <studyId>')
  .description("check a paper's dataset against the manifests anchored for the study (exit code 1 if not)")
  .requiredOption('--node <url>', 'any node of the network')
  .option('--home <dir>', 'network home (for its TLS CA)', '.carechain')
  .requiredOption('--dataset <file>', 'NDJSON, JSON array or Bundle')
  .action(action(async (studyId: string, opts: { node: string; home: string; dataset: string }) => {
    if ((await researchVerify(publicTarget(opts), studyId, opts.dataset)) !== 0) process.exit(1);
  }));

const audit = program.command('audit').description('the tamper-evident audit trail');
audit
  .command('verify')
  .description("check an organization's whole audit log (or one patient's entries) against the chain")
  .requiredOption('--org <slug>', 'organization slug')
  .option('--patient <id>', "also prove each of this patient's anchored entries")
  .option('--home <dir>', 'network directory (CARECHAIN_HOME, default .carechain)')
  .option('--data-dir <dir>', 'node data directory')
  .option('--database <url>', 'postgres:// URL of the node database (CARECHAIN_DATABASE; default the embedded SQLite file)')
  .option('--rpc-url <url>', 'JSON-RPC URL of the ledger')
  .option('--deployment <file>', 'deployment file')
  .action(
    action(async (flags: Record<string, string | undefined>) => {
      const config = loadNodeConfig({ org: flags.org, home: flags.home, dataDir: flags.dataDir, rpcUrl: flags.rpcUrl, deploymentFile: flags.deployment, database: flags.database });
      const report = await verifyAuditCommand(config, flags.patient);
      if (!report.ok) process.exit(1);
    }),
  );
audit
  .command('mine')
  .description('as a patient: every access to your records at every custodian, each entry verified')
  .requiredOption('--node <url>', 'any node of the network (to find your custodians)')
  .requiredOption('--patient-key <file>', 'your key file')
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--rpc-url <url>', 'JSON-RPC URL (CARECHAIN_RPC_URL)', process.env.CARECHAIN_RPC_URL)
  .action(
    action(async (opts: { node: string; patientKey: string; home: string; rpcUrl?: string }) => {
      const key = loadPatientKey(opts.patientKey, process.env.CARECHAIN_PATIENT_PASSPHRASE);
      const r = await myAuditTrail({ node: opts.node, master: masterKeyOf(key), rpcUrl: opts.rpcUrl, home: resolve(opts.home) });
      for (const l of r.lines) {
        console.log(`${l.recorded}  ${l.org.padEnd(24)} ${l.who}${l.onBehalfOf ? ` for ${l.onBehalfOf}` : ''}  ${l.what}  ${l.purpose ?? ''}  ${l.outcome}`);
      }
      console.log(`verified ${r.verified} entries at ${r.custodians} custodian(s) against their signed heads and the chain`);
    }),
  );
nodeOptions(audit.command('proof <index>').description("fetch an audit entry's inclusion proof from a node and check it against the chain"))
  .option('--rpc-url <url>', 'JSON-RPC URL (CARECHAIN_RPC_URL)', process.env.CARECHAIN_RPC_URL)
  .action(
    action(async (index: string, opts: { node: string; token?: string; org?: string; home: string; rpcUrl?: string }) => {
      if (!/^\d+$/.test(index)) throw new InvalidArgumentError('index must be a non-negative integer');
      await auditProofCommand(nodeTarget(opts), Number(index), { rpcUrl: opts.rpcUrl, home: resolve(opts.home) });
    }),
  );
for (const [name, path, what] of [
  ['flags', '/api/audit/flags', 'insider-threat flags for the privacy officer (JSON)'],
  ['export', '/api/audit/export', 'export entries with proofs as NDJSON'],
] as const) {
  nodeOptions(audit.command(name).description(what))
    .option('--from <iso>', 'from this time')
    .option('--to <iso>', 'until this time')
    .option('--patient <id>', 'only this patient (export)')
    .action(
      action(async (opts: { node: string; token?: string; org?: string; home: string; from?: string; to?: string; patient?: string }) => {
        const q = new URLSearchParams(Object.entries({ from: opts.from, to: opts.to, patient: name === 'export' ? opts.patient : undefined }).filter(([, v]) => v) as [string, string][]);
        const target = nodeTarget(opts);
        const res = await (target.fetch ?? fetch)(`${target.url}${path}?${q}`, { method: "GET", headers: { authorization: `Bearer ${target.token}` } }).catch((e: Error) => {
          throw new CarechainError(`node unreachable at ${target.url}: ${e.message}`);
        });
        const text = await res.text();
        if (res.status !== 200) throw new CarechainError(`HTTP ${res.status}: ${problemOf(JSON.parse(text))}`);
        process.stdout.write(name === 'flags' ? JSON.stringify(JSON.parse(text), null, 2) + '\n' : text);
      }),
    );
}

const records = program.command('records').description('record proofs');
records
  .command('verify-proof <file>')
  .description('verify a $verify answer (file or - for stdin) against the chain, independently of any node')
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--rpc-url <url>', 'JSON-RPC URL (CARECHAIN_RPC_URL)', process.env.CARECHAIN_RPC_URL)
  .option('--deployment <file>', 'deployment file to check the proof\'s registry address against')
  .action(action(async (file: string, opts: { home: string; rpcUrl?: string; deployment?: string }) => verifyProofCommand(file, { rpcUrl: opts.rpcUrl, home: resolve(opts.home), deploymentFile: opts.deployment })));

nodeOptions(program.command('import <path>').description('import FHIR Bundles (transaction/collection, e.g. Synthea) from a file or a directory; resumable'))
  .option('--state <file>', 'progress file (default <path>.import-state.json)')
  .option('--continue-on-error', 'go on with the next file when one fails', false)
  .option('--concurrency <n>', 'files sent at once (default 4)', (v) => Number(v), 4)
  .option('--chunk <n>', 'entries per transaction for larger files (default 1000)', (v) => Number(v), 1000)
  .action(
    action(async (path: string, opts: { node: string; token?: string; org?: string; home: string; state?: string; continueOnError: boolean; concurrency: number; chunk: number }) => {
      const s = await importFiles({ path, target: nodeTarget(opts), stateFile: opts.state, continueOnError: opts.continueOnError, concurrency: opts.concurrency, chunk: opts.chunk });
      console.log(
        `imported ${s.files} file(s), ${s.resources} resources; ${s.skipped} already imported; ${s.failed.length} failed (${s.seconds.toFixed(1)} s, ${Math.round(s.resources / Math.max(s.seconds, 0.001))} resources/s)`,
      );
      for (const f of s.failed) console.log(`  - ${f.file}: ${f.problem}`);
      if (s.failed.length) throw new CarechainError(`${s.failed.length} file(s) failed; fix them and run the same command again to resume`);
    }),
  );

const tls = program.command('tls').description("the network's certificate authority and node certificates");
tls
  .command('init')
  .description('create the network CA (once; kept in <home>/tls)')
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--name <name>', 'network name in the CA certificate', 'Carechain network')
  .action(
    action(async (opts: { home: string; name: string }) => {
      const ca = await initNetworkCa(resolve(opts.home), opts.name);
      console.log(`${ca.created ? 'created' : 'exists'}: network CA ${ca.cert} (key ${ca.key}, keep it private)`);
    }),
  );
tls
  .command('issue')
  .description("issue a node's TLS certificate from the network CA")
  .requiredOption('--org <slug>', 'organization slug')
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--data-dir <dir>', 'node data directory (default <home>/orgs/<org>)')
  .option('--host <name...>', 'host names and IPs the node is reached at', ['localhost', '127.0.0.1'])
  .action(
    action(async (opts: { org: string; home: string; dataDir?: string; host: string[] }) => {
      const home = resolve(opts.home);
      const files = await issueNodeCertificate(home, resolve(opts.dataDir ?? join(home, 'orgs', opts.org)), opts.org, opts.host);
      console.log(`issued: ${files.cert} for ${opts.host.join(', ')} (key ${files.key})`);
    }),
  );

program
  .command('demo')
  .description('tell the demo story again, step by step, against a running demo network (npm start)')
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--node <url>', "any node of the network (to find the others' endpoints)", 'https://127.0.0.1:4001')
  .action(
    action(async (opts: { home: string; node: string }) => {
      const home = resolve(opts.home);
      const doFetch = opts.node.startsWith('https://') ? fetchTrusting(networkCa(opts.home)) : fetch;
      const res = await doFetch(`${opts.node.replace(/\/$/, '')}/api/participants`, { method: 'GET', headers: {} }).catch((err: Error) => {
        throw new CarechainError(`no node at ${opts.node} (${err.message}): start the network first with npm start`, 2);
      });
      const { participants } = (await res.json()) as { participants: { name: string; endpoint: string; orgId: string }[] };
      const nodes = DEMO_ORGANIZATIONS.map((o) => ({ slug: o.slug, kind: o.kind, url: participants.find((p) => p.orgId === orgIdOf(o.slug))?.endpoint ?? '' })).filter((n) => n.url);
      const story = await runStory({ home, nodes, fetch: doFetch, again: true, say: (m) => console.log(m.startsWith('  ') ? `  ${m}` : `- ${m}`) });
      console.log('');
      for (const line of storyNextSteps(story, opts.home, opts.node.startsWith('https://') ? `--cacert ${join(opts.home, 'tls', 'ca.crt')} ` : '')) console.log(line);
    }),
  );

const network = program.command('network').description('a local network of demo organizations');
network
  .command('start')
  .description('start the embedded chain and one node per demo organization')
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--chain-port <port>', 'JSON-RPC port of the embedded chain', port, 8545)
  .option('--base-port <port>', 'port of the first node; the others follow', port, 4001)
  .option('--no-tls', 'plain HTTP between nodes (default: HTTPS with a network CA in <home>/tls)')
  .option('--no-story', 'do not seed the demo story (patients, licensed clinicians, a grant, a cross-organization fetch, a break-glass)')
  .option('--supply-demo', 'then run the scripted supply-chain scenario (commission → pack → ship → receive → dispense, a counterfeit, a diversion, a recall)')
  .action(
    action(async (opts: { home: string; chainPort: number; basePort: number; tls: boolean; story: boolean; supplyDemo?: boolean }) => {
      const home = resolve(opts.home);
      const net = await startNetwork({ home, chainPort: opts.chainPort, basePort: opts.basePort, tls: opts.tls, onProgress: (m) => console.log(`- ${m}`) });
      console.log(`\nCarechain network running (home ${home})`);
      console.log(`  ${'chain'.padEnd(18)} ${net.chain.anvil.rpcUrl.padEnd(24)} chain id ${net.chain.conn.chain.id}`);
      for (const n of net.nodes) {
        console.log(`  ${n.spec.slug.padEnd(18)} ${n.url.padEnd(24)} ${n.spec.kind.padEnd(16)} ${n.spec.name}  (log ${join('orgs', n.spec.slug, 'node.log')})`);
      }
      console.log(`\nPortal (open in a browser${opts.tls ? `; trust ${join(opts.home, 'tls', 'ca.crt')} or accept the warning` : ''}):`);
      for (const n of net.nodes) {
        const logins = await ensureDemoLogins(home, n.spec).catch((err: Error) => [`(no demo logins: ${err.message})`]);
        console.log(`  ${n.spec.slug.padEnd(18)} ${`${n.url}/portal/`.padEnd(32)} ${logins.join(', ')}`);
      }
      console.log(`  demo password: "${DEMO_PASSWORD}" (demo only). Patients sign in with their key (\`carechain patient keygen\`, then \`patient link\`).`);
      const cacert = opts.tls ? `--cacert ${join(opts.home, 'tls', 'ca.crt')} ` : '';
      if (opts.supplyDemo) {
        console.log('\nSupply-chain scenario:');
        const nodes = net.nodes.map((n) => ({ slug: n.spec.slug, kind: n.spec.kind, url: n.url }));
        await runSupplyScenario({ home, nodes, prefix: DEMO_COMPANY_PREFIX, ...(opts.tls ? { fetch: fetchTrusting(networkCa(opts.home)) } : {}), say: (m) => console.log(m.startsWith('  ') ? `  ${m}` : `- ${m}`) });
      }
      if (opts.story) {
        console.log('\nThe demo story (once per home; `carechain demo` tells it again):');
        const t0 = performance.now();
        try {
          const story = await runStory({ home, nodes: net.nodes.map((n) => ({ slug: n.spec.slug, kind: n.spec.kind, url: n.url })), fetch: opts.tls ? fetchTrusting(networkCa(opts.home)) : fetch, say: (m) => console.log(m.startsWith('  ') ? `  ${m}` : `- ${m}`) });
          console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
          for (const line of storyNextSteps(story, opts.home, cacert)) console.log(line);
        } catch (err) {
          console.log(`- the demo story stopped: ${errorMessage(err)} (the network runs; \`carechain demo\` tries again)`);
        }
      }
      console.log(`\nStop with Ctrl-C.`);
      if (process.send) {
        process.send({ type: 'ready', chain: { url: net.chain.anvil.rpcUrl, pid: net.chain.anvil.pid }, nodes: net.nodes.map((n) => ({ org: n.spec.slug, url: n.url, pid: n.process.pid })) });
      }
      await untilStopped();
      console.log('stopping the network');
      await net.stop();
    }),
  );

network
  .command('init')
  .description('generate a Hyperledger Besu QBFT network: validator keys, genesis, Besu configs, compose file or systemd units, node configs')
  .requiredOption('--validators <n>', 'number of validators (4 tolerates one faulty validator)', (v) => Number(v))
  .option('--chain-id <id>', 'chain ID of the network (choose your own)', (v) => Number(v), 1337)
  .option('--block-period <seconds>', 'seconds between blocks', (v) => Number(v), 2)
  .option('--target <target>', 'compose (one machine, Docker) or systemd (one validator per machine)', 'compose')
  .option('--hosts <ip...>', 'systemd: the IP address of each validator, in order')
  .option('--install-dir <dir>', 'systemd: where the network directory is installed on each machine')
  .option('--org <orgs...>', 'organizations whose node configuration to write, as slug or slug:signer-address')
  .option('--governance <address>', 'governance account (allow-listed with --accounts-allowlist)')
  .option('--accounts-allowlist', 'only governance and the organizations\' signers may send transactions', false)
  .option('--image <image>', 'pinned Besu image for compose')
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--out <dir>', 'output directory (default <home>/besu)')
  .option('--force', 'replace a network generated earlier with other settings (never one that has run)', false)
  .action(
    action(async (opts: { validators: number; chainId: number; blockPeriod: number; target: string; hosts?: string[]; installDir?: string; org?: string[]; governance?: string; accountsAllowlist: boolean; image?: string; home: string; out?: string; force: boolean }) => {
      if (opts.target !== 'compose' && opts.target !== 'systemd') throw new InvalidArgumentError('--target must be compose or systemd');
      const s = initBesuNetwork({
        outDir: resolve(opts.out ?? join(opts.home, 'besu')),
        validators: opts.validators,
        chainId: opts.chainId,
        blockPeriodSeconds: opts.blockPeriod,
        target: opts.target,
        hosts: opts.hosts,
        installDir: opts.installDir,
        image: opts.image,
        organizations: (opts.org ?? []).map((o) => {
          const [slug, signer] = o.split(':');
          return { slug: slug!, ...(signer ? { signer: signer as Address } : {}) };
        }),
        governance: opts.governance as Address | undefined,
        accountsAllowlist: opts.accountsAllowlist,
        force: opts.force,
      });
      console.log(`${s.created ? 'generated' : 'already there, unchanged'}: ${s.target} QBFT network, chain ${s.chainId}, in ${s.outDir}`);
      for (const v of s.validators) console.log(`  ${v.name.padEnd(14)} ${v.address}  ${v.rpcUrl}`);
      for (const o of s.organizations) console.log(`  ${o.slug.padEnd(14)} node config ${join(s.outDir, o.configFile)} -> ${o.validator}`);
      console.log(s.target === 'compose' ? `\nStart: cd ${s.outDir} && docker compose up -d` : `\nInstall: see deploy/besu/README.md (systemd units in ${join(s.outDir, 'systemd')})`);
      console.log('Then deploy the contracts: carechain chain deploy --rpc-url <validator RPC URL> --governance-key-file gov.json --out deployment.json');
    }),
  );


/** An example for every command's --help (issue #17: nobody should have to read the source). */
const H = 'https://127.0.0.1:4001';
const EXAMPLES: Record<string, string> = {
  'chain start': 'carechain chain start --home .carechain            # Anvil on 127.0.0.1:8545, contracts deployed once',
  'chain deploy': 'carechain chain deploy --rpc-url http://127.0.0.1:8545 --out deployment.json',
  'org init': 'carechain org init --org st-mary --home .carechain   # keys for a new organization (mode 0600)',
  'org register': 'carechain org register --org riverside --kind clinic --name "Riverside Clinic" --endpoint https://riverside.example:4002',
  'node start': 'carechain node start --org st-mary --port 4001 --tls',
  'verify': 'carechain verify --org st-mary   # every record version against the anchored roots',
  'backup': 'carechain node backup --org st-mary --out st-mary.backup',
  'restore': 'carechain node restore --org st-mary --from st-mary.backup',
  'patient link': `carechain patient link --node ${H} --patient-key me.key --patient-id 123 --code K7Q2M9XA`,
  'patient address': `carechain patient address --node ${H} --patient-key me.key`,
  'consent grant': `carechain consent grant --node ${H} --org st-mary --patient-key me.key --grantee riverside --types Observation,Condition --days 30`,
  'consent revoke': `carechain consent revoke --node ${H} --org st-mary --patient-key me.key --grant 0x8c1e…`,
  'consent list': `carechain consent list --node ${H} --org st-mary --patient-key me.key`,
  'issuer scope': 'carechain issuer scope --issuer state-board --type medical-licence --jurisdiction US-CA',
  'credential issue': "carechain credential issue --node https://127.0.0.1:4006 --org state-board --input house.json --out house.jws\n  # house.json: {\"type\":\"medical-licence\",\"jurisdiction\":\"US-CA\",\"subject\":{\"practitioner\":\"Practitioner/house\",\"name\":\"Gregory House\",\"holder\":\"0x…\",\"npi\":\"1234567893\"},\"number\":\"A123\",\"validFrom\":\"2026-01-01T00:00:00Z\",\"validUntil\":\"2027-01-01T00:00:00Z\"}",
  'credential verify': `carechain credential verify --node ${H} --org st-mary --file house.jws`,
  'credential list': `carechain credential list --node ${H} --org st-mary`,
  'credential suspend': 'carechain credential suspend --node https://127.0.0.1:4006 --org state-board --id 0x3f9a…',
  'credential reinstate': 'carechain credential reinstate --node https://127.0.0.1:4006 --org state-board --id 0x3f9a…',
  'credential revoke': 'carechain credential revoke --node https://127.0.0.1:4006 --org state-board --id 0x3f9a…',
  'exclusions import': `carechain exclusions import UPDATED.csv --node ${H} --org st-mary   # the OIG LEIE list`,
  'supply verify': 'carechain supply verify "(01)00312345000010(21)SN0001(10)LOT1(17)271231" --node https://127.0.0.1:4004 --org corner-pharmacy',
  'supply commission': 'carechain supply commission --node https://127.0.0.1:4007 --org acme-pharma --gtin 00312345000010 --lot LOT1 --expiry 2027-12-31 --count 100',
  'supply exceptions': 'carechain supply exceptions --node https://127.0.0.1:4004 --org corner-pharmacy',
  'audit verify': 'carechain audit verify --org st-mary --patient 123',
  'audit mine': 'carechain audit mine --node https://127.0.0.1:4001 --patient-key me.key',
  'audit proof': `carechain audit proof 42 --node ${H} --org st-mary`,
  'audit export': `carechain audit export --node ${H} --org st-mary --patient 123 > trail.ndjson`,
  'audit flags': `carechain audit flags --node ${H} --org st-mary`,
  'records verify-proof': 'carechain records verify-proof proof.json',
  'import': `carechain import ./synthea/fhir --node ${H} --org st-mary`,
  'tls init': 'carechain tls init --home .carechain',
  'tls issue': 'carechain tls issue --org st-mary --host st-mary.example --home .carechain',
  'network start': 'carechain network start            # or: npm start',
  'network init': 'carechain network init --validators 4 --out deploy/my-network   # a Besu QBFT network kit',
  'claims import-ncci': `carechain claims import-ncci ccipra-v321r0_f1.txt --node https://127.0.0.1:4005 --org acme-health`,
  'claims import-mue': `carechain claims import-mue MCR_MUE_PractitionerServices.csv --node https://127.0.0.1:4005 --org acme-health`,
  'claims submit': `carechain claims submit claim.json --node ${H} --org st-mary --insurer 0x… --patient 0x… --consent hpaymt-grant.json`,
  'claims queue': 'carechain claims queue --node https://127.0.0.1:4005 --org acme-health',
  'claims review': 'carechain claims review 0x… --decision approved --reason "records confirm the visit" --node https://127.0.0.1:4005 --org acme-health',
  'claims pay': 'carechain claims pay 0x… --node https://127.0.0.1:4005 --org acme-health',
  'claims void': `carechain claims void 0x… --text "billed in error" --node ${H} --org st-mary`,
  'claims appeal': `carechain claims appeal 0x… --text "operative note attached" --node ${H} --org st-mary`,
  'claims respond': `carechain claims respond 0x… --text "the encounter is anchored at block 1234" --node ${H} --org st-mary`,
  'research register': `carechain research register --node ${H} --org st-mary --study study.json --protocol protocol.json`,
  'research amend': `carechain research amend <studyId> --node ${H} --org st-mary --protocol protocol-v2.json`,
  'research show': `carechain research show <studyId> --node ${H} --org st-mary`,
  'research import': `carechain research import <studyId> --node https://127.0.0.1:4002 --org riverside`,
  'research enroll': `carechain research enroll <studyId> --patient 123 --grant 0x… --node ${H} --org st-mary`,
  'research withdraw': `carechain research withdraw <studyId> --patient 123 --node ${H} --org st-mary`,
  'research capture': `carechain research capture <studyId> --file week-4.ndjson --node ${H} --org st-mary`,
  'research seal': `carechain research seal <studyId> --node ${H} --org st-mary`,
  'research integrity': `carechain research integrity <studyId> --node ${H} --org st-mary`,
  'research outcomes': `carechain research outcomes <studyId> --node ${H} --org st-mary`,
  'research export': `carechain research export <studyId> --out dataset.ndjson --node ${H} --org st-mary`,
  'research verify': `carechain research verify <studyId> --dataset dataset.ndjson --node ${H} --org st-mary`,
  'demo': 'carechain demo --home .carechain   # with npm start running in another terminal',
};
const withExamples = (cmd: Command, path: string[] = []): void => {
  for (const c of cmd.commands) {
    const p = [...path, c.name()];
    const example = EXAMPLES[p.join(' ')];
    if (example && !(c as unknown as { _helpExampled?: boolean })._helpExampled) c.addHelpText('after', `\nExample:\n  ${example}`);
    withExamples(c, p);
  }
};
withExamples(program);

await program.parseAsync(process.argv);
// Long-running commands return after a graceful stop; an IPC channel to a parent (network start,
// tests) would otherwise keep the process alive.
process.exit(process.exitCode ?? 0);
