import { parseEther, type Address } from 'viem';
import type { ChainConnection } from '../chain/client.ts';
import type { Deployment } from '../chain/deployment.ts';
import { participantRegistryAbi } from '../chain/generated/contracts.ts';
import { kindToChain, orgIdOf, type OrgKind } from '../chain/ids.ts';
import type { TxSender } from '../chain/journal.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';

export interface OrganizationSpec {
  slug: string;
  kind: OrgKind;
  name: string;
  endpoint: string;
}

/** Is the organization already in the registry (read from the chain, for governance tooling)? */
export async function isRegistered(conn: ChainConnection, deployment: Deployment, slug: string): Promise<boolean> {
  // getOrganization reverts (UnknownOrganization) for an id that was never registered.
  return conn.client
    .readContract({ address: deployment.contracts.ParticipantRegistry.address, abi: participantRegistryAbi, functionName: 'getOrganization', args: [orgIdOf(slug)] })
    .then(() => true, () => false);
}

/**
 * Registers an organization by governance, unless it already is registered, and on a development
 * chain tops up its signer so it can pay for gas (a permissioned Besu network runs with zero gas price).
 */
export async function registerOrganization(
  conn: ChainConnection,
  governance: TxSender,
  deployment: Deployment,
  spec: OrganizationSpec,
  keys: OrgKeys,
  opts: { fund?: boolean } = {},
): Promise<{ orgId: `0x${string}`; registeredNow: boolean }> {
  const orgId = orgIdOf(spec.slug);
  let registeredNow = false;
  if (!(await isRegistered(conn, deployment, spec.slug))) {
    await governance.sendContract({
      address: deployment.contracts.ParticipantRegistry.address,
      abi: participantRegistryAbi,
      functionName: 'register',
      args: [orgId, kindToChain(spec.kind), keys.account.address, keys.encryptionPublicKey, spec.name, spec.endpoint],
      label: `register ${spec.slug}`,
    });
    registeredNow = true;
  } else {
    // A network restarted with another scheme or port (e.g. TLS switched on) re-registers its endpoint.
    const current = await conn.client.readContract({ address: deployment.contracts.ParticipantRegistry.address, abi: participantRegistryAbi, functionName: 'getOrganization', args: [orgId] });
    if (current.endpoint !== spec.endpoint) {
      await governance.sendContract({
        address: deployment.contracts.ParticipantRegistry.address,
        abi: participantRegistryAbi,
        functionName: 'setEndpoint',
        args: [orgId, spec.endpoint],
        label: `endpoint ${spec.slug}`,
      });
    }
  }
  if (opts.fund) await fund(conn, governance, keys.account.address, parseEther('100'));
  return { orgId, registeredNow };
}

async function fund(conn: ChainConnection, governance: TxSender, to: Address, amount: bigint): Promise<void> {
  const balance = await conn.client.getBalance({ address: to });
  if (balance >= amount / 2n) return;
  // A plain value transfer, journalled like every other transaction.
  await governance.send({ to, data: '0x', label: `fund ${to}`, value: amount });
}
