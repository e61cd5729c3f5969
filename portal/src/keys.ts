/**
 * A patient's key at one custodian, derived in the browser from their master key exactly as the node
 * and the CLI derive it (src/crypto/patient-keys.ts: HKDF-SHA256, RFC 5869, salt "carechain/patient",
 * info "carechain:patient-key:v1:" ‖ custodian org id ‖ counter), with @noble/hashes (viem's own hash
 * library). The master key never leaves the page: only signatures do.
 */
import { hkdf } from '@noble/hashes/hkdf';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, concatBytes, hexToBytes, stringToBytes, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export function custodianKey(master: Hex, custodianOrgId: Hex): Hex {
  for (let counter = 0; ; counter++) {
    const info = concatBytes([stringToBytes('carechain:patient-key:v1:'), hexToBytes(custodianOrgId), new Uint8Array([counter])]);
    const okm = hkdf(sha256, hexToBytes(master), stringToBytes('carechain/patient'), info, 32);
    const k = BigInt(bytesToHex(okm));
    if (k > 0n && k < N) return bytesToHex(okm);
  }
}

export const custodianAccount = (master: Hex, custodianOrgId: Hex): PrivateKeyAccount => privateKeyToAccount(custodianKey(master, custodianOrgId));

/** A master key as typed or pasted: 64 hex digits (with or without 0x), or a CLI key file (unsealed). */
export function parseMasterKey(input: string): Hex {
  const text = input.trim();
  let candidate = text;
  if (text.startsWith('{')) {
    try {
      const file = JSON.parse(text) as { key?: unknown; sealed?: unknown };
      if (typeof file.key !== 'string') throw new Error(file.sealed ? 'this key file is sealed with a passphrase: unseal it with the CLI first' : 'the key file has no key');
      candidate = file.key;
    } catch (err) {
      throw new Error(err instanceof SyntaxError ? 'the key file is not valid JSON' : (err as Error).message);
    }
  }
  const hex = candidate.startsWith('0x') ? candidate.slice(2) : candidate;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error('a master key is 64 hexadecimal digits (32 bytes)');
  return `0x${hex.toLowerCase()}`;
}
