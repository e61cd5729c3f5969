import type { Hex } from 'viem';
import type { FetchLike } from '../tls/peer-fetch.ts';
import type { ChainConnection } from '../chain/client.ts';
import type { Deployment } from '../chain/deployment.ts';
import type { TxSender } from '../chain/journal.ts';
import type { NodeConfig } from '../config/node-config.ts';
import type { Db } from '../db/database.ts';
import type { Indexer } from '../indexer/indexer.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';

/** Everything a route needs, built once at start. */
export interface NodeContext {
  config: NodeConfig;
  orgId: Hex;
  db: Db;
  conn: ChainConnection;
  deployment: Deployment;
  sender: TxSender;
  indexer: Indexer;
  keys: OrgKeys;
  /** Bearer token for operator endpoints, from `<dataDir>/admin-token` (until user login lands). */
  adminToken: string;
  /** How this node calls other nodes (over TLS trusting the network CA, when TLS is on). */
  peerFetch: FetchLike;
}
