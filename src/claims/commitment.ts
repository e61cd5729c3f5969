/**
 * What the ClaimRegistry holds of a claim, computed the same way by the provider that registers it,
 * the insurer that checks it and the patient who verifies it: the SHA-256 of the Claim's canonical
 * JSON (`shared/canonical-json.ts`) and a per-patient salted commitment,
 * keccak256(abi.encode(patient address, salt)). The salt is fresh for every claim, so two claims of
 * one patient share nothing on the ledger; only someone holding the salt (the insurer, the provider,
 * the patient through their EOB) can open it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { bytesToHex, encodeAbiParameters, getAddress, keccak256, type Address, type Hex } from 'viem';
import { canonicalJson } from '../shared/canonical-json.ts';

export const claimHashOf = (claim: unknown): Hex => `0x${createHash('sha256').update(canonicalJson(claim)).digest('hex')}`;

export const docHashOf = claimHashOf;

export const patientCommitmentOf = (patient: Address, salt: Hex): Hex =>
  keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'bytes32' }], [getAddress(patient), salt]));

export const freshSalt = (): Hex => bytesToHex(randomBytes(32));
export const freshClaimId = (): Hex => bytesToHex(randomBytes(32));
