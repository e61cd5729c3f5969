/**
 * The deployment file records where the Carechain contracts live on a chain and which build of them
 * was deployed. The embedded network writes it once at first start; production networks ship it
 * (CARECHAIN_DEPLOYMENT). Every node checks it against the chain at start, so a node never runs
 * against the wrong contracts.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { getAddress, keccak256, type Address, type Hex, type PublicClient } from 'viem';
import { z } from 'zod';
import { CarechainError, errorMessage } from '../shared/errors.ts';
import { anchorRegistryAbi, contractsBuild } from './generated/contracts.ts';

const addressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address').transform((a) => getAddress(a));
const hashSchema = z.string().regex(/^0x[0-9a-f]{64}$/, 'a 32-byte hex hash');
const contract = z.object({ address: addressSchema, codeHash: hashSchema });

/** The contracts a deployment holds; each is linked to the ParticipantRegistry. */
export const CONTRACT_NAMES = ['ParticipantRegistry', 'AnchorRegistry', 'ConsentRegistry', 'RecordLocator', 'BreakGlassRegistry', 'CredentialStatus', 'PractitionerAffiliations', 'SerialRegistry', 'ClaimRegistry', 'TrialRegistry'] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  deployedAtBlock: z.number().int().nonnegative(),
  /** The contracts build (scripts/compile-contracts.ts) these addresses run. */
  build: z.string().optional(),
  contracts: z.object(Object.fromEntries(CONTRACT_NAMES.map((n) => [n, contract])) as Record<ContractName, typeof contract>),
  /** Present when an M-of-N consortium (src/chain/consortium.ts) governs instead of one key. */
  governance: z.object({ membership: addressSchema, timelock: addressSchema, governor: addressSchema }).optional(),
});
export type Deployment = z.infer<typeof deploymentSchema>;

export function readDeployment(file: string): Deployment {
  if (!existsSync(file)) {
    throw new CarechainError(`no deployment file at ${file}: start the embedded chain (carechain chain start) or set CARECHAIN_DEPLOYMENT`, 2);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CarechainError(`deployment file ${file} is not JSON: ${errorMessage(err)}`, 2);
  }
  const parsed = deploymentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CarechainError(
      `deployment file ${file} is invalid: ${issue.path.join('.')}: ${issue.message}` +
        (issue.path[0] === 'contracts' ? ' (it was written by an older Carechain: deploy again, or start a fresh network home)' : ''),
      2,
    );
  }
  if (parsed.data.build !== undefined && parsed.data.build !== contractsBuild) {
    throw new CarechainError(
      `deployment file ${file} is of contracts build ${parsed.data.build}, but this Carechain has build ${contractsBuild}: deploy again (carechain chain deploy), or start a fresh network home`,
      2,
    );
  }
  return parsed.data;
}

export function writeDeployment(file: string, deployment: Deployment): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(deployment, null, 2) + '\n');
  renameSync(tmp, file); // atomic: a crash never leaves half a deployment file
}

/** Throws a clear error unless every contract of `deployment` is on this chain with the recorded code. */
export async function checkDeployment(client: PublicClient, deployment: Deployment, file: string): Promise<void> {
  const chainId = await client.getChainId();
  if (chainId !== deployment.chainId) {
    throw new CarechainError(`wrong deployment: ${file} is for chain ${deployment.chainId} but the chain at the RPC URL is ${chainId}`);
  }
  for (const [name, c] of Object.entries(deployment.contracts) as [ContractName, { address: Address; codeHash: Hex }][]) {
    const code = await client.getCode({ address: c.address });
    if (!code || code === '0x') {
      throw new CarechainError(`wrong deployment: no contract at ${c.address} (${name} in ${file}) on chain ${chainId}`);
    }
    if (keccak256(code) !== c.codeHash) {
      throw new CarechainError(`wrong deployment: the code at ${c.address} is not the ${name} recorded in ${file}`);
    }
  }
  const linked = await client
    .readContract({ address: deployment.contracts.AnchorRegistry.address, abi: anchorRegistryAbi, functionName: 'participants' })
    .catch((err: unknown) => {
      throw new CarechainError(`wrong deployment: the contract at ${deployment.contracts.AnchorRegistry.address} does not answer as an AnchorRegistry (${errorMessage(err)})`);
    });
  if (getAddress(linked) !== deployment.contracts.ParticipantRegistry.address) {
    throw new CarechainError(`wrong deployment: AnchorRegistry in ${file} is linked to another ParticipantRegistry (${linked})`);
  }
}
