/**
 * What a practitioner signs (EIP-712) for an organization to act in their name: the organization, the
 * credential and until when. `PractitionerAffiliations` checks the signature against the key the
 * credential names; the signature names one organization, so it cannot be reused by another.
 */
import type { Address, Hex, LocalAccount } from 'viem';

export function affiliationDomain(chainId: number, verifyingContract: Address) {
  return { name: 'Carechain Affiliation', version: '1', chainId, verifyingContract } as const;
}

export const affiliationTypes = {
  Affiliation: [
    { name: 'organization', type: 'bytes32' },
    { name: 'credentialId', type: 'bytes32' },
    { name: 'until', type: 'uint64' },
    { name: 'nonce', type: 'uint256' },
  ],
} as const;

export interface AffiliationMessage {
  organization: Hex;
  credentialId: Hex;
  until: bigint;
  nonce: bigint;
}

export const signAffiliation = (holder: LocalAccount, domain: ReturnType<typeof affiliationDomain>, message: AffiliationMessage) =>
  holder.signTypedData!({ domain, types: affiliationTypes, primaryType: 'Affiliation', message });
