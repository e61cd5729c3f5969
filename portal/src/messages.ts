/**
 * The exact strings the node signs or expects signed, repeated here because their node modules pull
 * in server code (the storage layer, node:crypto). portal/src/messages.test.ts pins them to the node's.
 */
import type { Hex } from 'viem';

/** src/identity/patient-challenges.ts */
export const patientLoginMessage = (orgId: Hex, challenge: string) => `carechain:patient-login:v1:${orgId}:${challenge}`;

/** src/audit/audit-log.ts: what an organization signs over its audit log's tree head. */
export const sthMessage = (sth: { org: string; treeSize: number; root: Hex; timestamp: string }) => `carechain:audit-sth:v1:${sth.org}:${sth.treeSize}:${sth.root}:${sth.timestamp}`;

/** src/consent/protocol.ts: the patient's address at the grantee, signed over the grant. */
export const noticeMessage = (grantId: string, patientAtCustodian: string) => `carechain:consent-notice:v1:${grantId.toLowerCase()}:${patientAtCustodian.toLowerCase()}`;
