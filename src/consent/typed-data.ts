/**
 * EIP-712 typed data for consent: what a patient (or proxy) signs. Any node relays the signature to
 * ConsentRegistry; the contract recomputes the same digest, so a signature is bound to one chain, one
 * registry, one patient nonce.
 */
import type { Address, Hex, LocalAccount } from 'viem';

export { PURPOSES, purposeFromChain, purposeToChain, type PurposeCode } from '../chain/ids.ts';

export function consentDomain(chainId: number, verifyingContract: Address) {
  return { name: 'Carechain Consent', version: '1', chainId, verifyingContract } as const;
}

export const consentTypes = {
  Grant: [
    { name: 'patient', type: 'address' },
    { name: 'grantee', type: 'bytes32' },
    { name: 'scopeHash', type: 'bytes32' },
    { name: 'purpose', type: 'uint8' },
    { name: 'start', type: 'uint64' },
    { name: 'expiry', type: 'uint64' },
    { name: 'nonce', type: 'uint256' },
  ],
  Revoke: [
    { name: 'patient', type: 'address' },
    { name: 'grantId', type: 'bytes32' },
    { name: 'nonce', type: 'uint256' },
  ],
  AppointProxy: [
    { name: 'patient', type: 'address' },
    { name: 'proxy', type: 'address' },
    { name: 'expiry', type: 'uint64' },
    { name: 'nonce', type: 'uint256' },
  ],
} as const;

export interface GrantMessage {
  patient: Address;
  grantee: Hex;
  scopeHash: Hex;
  purpose: number;
  start: bigint;
  expiry: bigint;
  nonce: bigint;
}

export type Domain = ReturnType<typeof consentDomain>;

export const signGrant = (signer: LocalAccount, domain: Domain, message: GrantMessage) =>
  signer.signTypedData!({ domain, types: consentTypes, primaryType: 'Grant', message });

export const signRevoke = (signer: LocalAccount, domain: Domain, message: { patient: Address; grantId: Hex; nonce: bigint }) =>
  signer.signTypedData!({ domain, types: consentTypes, primaryType: 'Revoke', message });

export const signProxy = (signer: LocalAccount, domain: Domain, message: { patient: Address; proxy: Address; expiry: bigint; nonce: bigint }) =>
  signer.signTypedData!({ domain, types: consentTypes, primaryType: 'AppointProxy', message });
