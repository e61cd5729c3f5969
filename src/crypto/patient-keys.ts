/**
 * A patient's keys. The patient holds one secret (their master key) and appears at each custodian
 * under a different address derived from it (HKDF-SHA256 with the custodian's organization id as
 * info), so the ledger cannot link their custodians, yet the patient proves everything with the one
 * secret. From each per-custodian key the patient also derives the secret that tags their
 * break-glass events on the ledger (only they and that custodian can recognise the tag).
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';

/** secp256k1's group order: a private key must be in [1, n). */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The patient's key at one custodian, derived from their master key (deterministic). */
export function custodianKey(master: Hex, custodianOrgId: Hex): Hex {
  for (let counter = 0; ; counter++) {
    const info = Buffer.concat([Buffer.from('carechain:patient-key:v1:'), Buffer.from(hexToBytes(custodianOrgId)), Buffer.from([counter])]);
    const okm = Buffer.from(hkdfSync('sha256', Buffer.from(hexToBytes(master)), Buffer.from('carechain/patient'), info, 32));
    const k = BigInt(`0x${okm.toString('hex')}`);
    if (k > 0n && k < N) return bytesToHex(okm);
  }
}

export function custodianAccount(master: Hex, custodianOrgId: Hex): PrivateKeyAccount {
  return privateKeyToAccount(custodianKey(master, custodianOrgId));
}

/** The secret that tags a patient's break-glass events at the custodian this key is for. */
export function breakGlassTagSecret(privateKey: Hex): Hex {
  return bytesToHex(new Uint8Array(hkdfSync('sha256', Buffer.from(hexToBytes(privateKey)), Buffer.from('carechain/break-glass-tag'), Buffer.from('v1'), 32)));
}

/** The tag of one break-glass access: HMAC-SHA256(tag secret, access id). */
export function breakGlassTag(tagSecret: Hex, accessId: Hex): Hex {
  return bytesToHex(createHmac('sha256', Buffer.from(hexToBytes(tagSecret))).update(Buffer.from(hexToBytes(accessId))).digest());
}
