/**
 * Besu node keys. A QBFT validator is identified by its node key: the secp256k1 key that signs its
 * consensus messages and commit seals. Its address (keccak-256 of the 64-byte public key, last 20
 * bytes) is what the genesis `extraData` lists, and its public key is the node ID in its enode URL
 * (Besu docs, "Node keys and node address").
 *
 * File formats, as Besu reads and writes them (tag 26.2.0):
 * - `key`: the private key as 64 hex digits on one line. Besu's `KeyPairUtil.loadPrivateKey` reads
 *   exactly one line with `Bytes32.fromHexString`, so a `0x` prefix is optional; Besu's own test key
 *   files (acceptance-tests …/qbft/migration-ibft1/miner1key) have none, and neither do ours.
 * - `key.pub`: the 64-byte public key, 0x-prefixed, as `besu public-key export` and
 *   `besu operator generate-blockchain-config` write it. Informational: Besu derives it from `key`.
 *
 * Keys come from viem (secp256k1 from @noble/curves, randomness from the platform CSPRNG).
 */
import { isIP } from 'node:net';
import type { Address, Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, publicKeyToAddress } from 'viem/accounts';
import { invalid } from '../../shared/errors.ts';

export interface NodeKey {
  /** 32 bytes, 0x-prefixed. A secret: written only to the node's `key` file (mode 0600). */
  privateKey: Hex;
  /** The 64-byte uncompressed public key without the 0x04 prefix, 0x-prefixed. */
  publicKey: Hex;
  /** The public key as an enode node ID: 128 hex digits, no 0x. */
  nodeId: string;
  /** The validator address (EIP-55 checksummed). */
  address: Address;
}

export function generateNodeKey(): NodeKey {
  return nodeKeyFromPrivateKey(generatePrivateKey());
}

export function nodeKeyFromPrivateKey(privateKey: string): NodeKey {
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) throw invalid('a node private key must be 32 bytes as 0x-prefixed hex');
  const normalized = privateKey.toLowerCase() as Hex;
  let uncompressed: Hex;
  try {
    uncompressed = privateKeyToAccount(normalized).publicKey;
  } catch {
    throw invalid('the node private key is not a valid secp256k1 scalar (it must be between 1 and the curve order - 1)');
  }
  const publicKey = `0x${uncompressed.slice(4)}` as Hex;
  return { privateKey: normalized, publicKey, nodeId: publicKey.slice(2), address: publicKeyToAddress(uncompressed) };
}

/** The content of a Besu `key` file: 64 hex digits, no 0x, no newline. */
export function besuKeyFile(key: NodeKey): string {
  return key.privateKey.slice(2);
}

/** The content of a `key.pub` file, as Besu's `public-key export` writes it. */
export function besuPublicKeyFile(key: NodeKey): string {
  return key.publicKey;
}

/** Reads a Besu `key` file (with or without 0x, one line, an optional trailing newline). */
export function parseBesuKeyFile(content: string): NodeKey {
  const lines = content.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  if (lines.length !== 1) throw invalid(`a Besu key file holds exactly one line (the private key in hex), found ${lines.length}`);
  const hex = lines[0]!.trim();
  return nodeKeyFromPrivateKey(hex.startsWith('0x') ? hex : `0x${hex}`);
}

/**
 * An enode URL, `enode://<node id>@<ip>:<tcp port>` (Besu docs, "Enode URL"). Only IP literals:
 * host names in enode URLs need Besu's early-access `--Xdns-enabled`, which this kit does not turn on.
 */
export function enodeUrl(nodeId: string, host: string, port: number): string {
  if (!/^[0-9a-f]{128}$/.test(nodeId)) throw invalid('an enode node ID is 128 lowercase hex digits without 0x');
  const family = isIP(host);
  if (family === 0) throw invalid(`enode host must be an IP address, got "${host}" (host names need Besu's --Xdns-enabled, which this kit does not configure)`);
  assertPort(port, 'enode port');
  return `enode://${nodeId}@${family === 6 ? `[${host}]` : host}:${port}`;
}

export function assertPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(`${what} must be an integer from 1 to 65535, got ${port}`);
}
