/**
 * The node's writes to the SerialRegistry (and the trading licences it reads from CredentialStatus),
 * every one through `submit()` (src/chain/submit.ts): checked by gas estimation (a revert comes back
 * as an `unprocessable` DomainError naming the contract's error), journalled before it is broadcast,
 * and awaited until this node's index has the block.
 */
import { keccak256, stringToHex, type Hex } from 'viem';
import type { Deployment } from '../../chain/deployment.ts';
import { credentialStatusAbi, serialRegistryAbi } from '../../chain/generated/contracts.ts';
import type { Ledger, Submitted } from '../../chain/submit.ts';
import { SERIAL_STATUSES, type SerialStatus } from '../../indexer/projectors/serial-registry.ts';

/** A commissioned unit's batch leaf and proof, as the contract's `UnitRef`. */
export interface UnitRef {
  lotId: Hex;
  batch: number;
  index: bigint;
  commitment: Hex;
  parent: Hex;
  proof: Hex[];
}

/** The credential type id of a trading licence (as `credentialTypeId` computes type ids). */
export const TRADING_LICENCE_TYPE: Hex = keccak256(stringToHex('carechain:credential-type:trading-licence'));
export const jurisdictionIdOf = (j: string): Hex => keccak256(stringToHex(`carechain:jurisdiction:${j}`));

export class SerialLedger {
  constructor(private readonly deps: { ledger: Ledger; deployment: Deployment }) {}

  private get address() {
    return this.deps.deployment.contracts.SerialRegistry.address;
  }

  private send(functionName: 'commission' | 'materialize' | 'pack' | 'unpack' | 'ship' | 'confirmReceipt' | 'cancelShipment' | 'decommission' | 'setStatus' | 'setLotStatus' | 'bindLicence' | 'declareLocation', args: readonly unknown[], label: string): Promise<Submitted> {
    return this.deps.ledger.submit({ address: this.address, abi: serialRegistryAbi, functionName, args: args as never, label });
  }

  commission(lotId: Hex, root: Hex, count: number, waitIndexed = true): Promise<Submitted> {
    return this.deps.ledger.submit({ address: this.address, abi: serialRegistryAbi, functionName: 'commission', args: [lotId, root, BigInt(count)], label: `commission ${lotId} root ${root}` }, { waitIndexed });
  }
  materialize(refs: UnitRef[]): Promise<Submitted> {
    return this.send('materialize', [refs], `materialize ${refs.length} unit(s)`);
  }
  pack(refs: UnitRef[], commitment: Hex, children: Hex[]): Promise<Submitted> {
    return this.send('pack', [refs, commitment, children], `pack ${children.length} unit(s)`);
  }
  unpack(refs: UnitRef[], container: Hex): Promise<Submitted> {
    return this.send('unpack', [refs, container], `unpack ${container}`);
  }
  ship(refs: UnitRef[], shipmentId: Hex, to: Hex, keys: Hex[]): Promise<Submitted> {
    return this.send('ship', [refs, shipmentId, to, keys], `ship ${shipmentId}`);
  }
  confirmReceipt(shipmentId: Hex): Promise<Submitted> {
    return this.send('confirmReceipt', [shipmentId], `receive ${shipmentId}`);
  }
  cancelShipment(shipmentId: Hex): Promise<Submitted> {
    return this.send('cancelShipment', [shipmentId], `cancel ${shipmentId}`);
  }
  decommission(refs: UnitRef[], keys: Hex[]): Promise<Submitted> {
    return this.send('decommission', [refs, keys], `dispense ${keys.length} unit(s)`);
  }
  setStatus(refs: UnitRef[], keys: Hex[], status: SerialStatus): Promise<Submitted> {
    return this.send('setStatus', [refs, keys, SERIAL_STATUSES.indexOf(status)], `status ${status} on ${keys.length} unit(s)`);
  }
  setLotStatus(lotId: Hex, status: SerialStatus): Promise<Submitted> {
    return this.send('setLotStatus', [lotId, SERIAL_STATUSES.indexOf(status)], `lot ${lotId} status ${status}`);
  }
  bindLicence(orgId: Hex, credentialId: Hex): Promise<Submitted> {
    return this.send('bindLicence', [orgId, credentialId], `bind licence ${credentialId} to ${orgId}`);
  }
  declareLocation(gln: string, active: boolean): Promise<Submitted> {
    return this.send('declareLocation', [gln, active], `location ${gln} ${active ? 'declared' : 'withdrawn'}`);
  }
  /** Suspends, reinstates or revokes a trading licence in CredentialStatus (its issuer only); trading stops or resumes at once. */
  licenceStatus(credentialId: Hex, action: 'suspend' | 'reinstate' | 'revoke'): Promise<Submitted> {
    return this.deps.ledger.submit({
      address: this.deps.deployment.contracts.CredentialStatus.address,
      abi: credentialStatusAbi,
      functionName: action,
      args: [credentialId],
      label: `trading licence ${credentialId} ${action}`,
    });
  }
  /** Registers a trading licence's status in CredentialStatus (its issuer, scoped by governance). */
  registerLicence(credentialId: Hex, jurisdiction: string, holder: Hex, documentHash: Hex): Promise<Submitted> {
    return this.deps.ledger.submit({
      address: this.deps.deployment.contracts.CredentialStatus.address,
      abi: credentialStatusAbi,
      functionName: 'register',
      args: [credentialId, TRADING_LICENCE_TYPE, jurisdictionIdOf(jurisdiction), holder, documentHash],
      label: `trading licence ${credentialId}`,
    });
  }
}
