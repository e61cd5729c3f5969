/**
 * The readable side of an answer to a request for records (DSCSA §582: a trading partner's transaction
 * information and transaction statements for a product, on request of FDA, another official or a
 * trading partner investigating it), pure: a Markdown report of who held the product, when, from whom
 * and to whom, with the ledger transaction of each step and the transaction statement.
 */

export interface ReportTransaction {
  /** ISO time of the shipment (block time) and of its receipt. */
  shippedAt: string;
  receivedAt: string | null;
  from: string;
  to: string;
  shipmentId: string;
  state: string;
  txHash: string;
}

export interface ReportInput {
  requestId: string;
  requester: string;
  responder: string;
  receivedAt: string;
  dueBy: string;
  answeredAt: string;
  product: { gtin: string; serial: string; lot: string; expiry: string; name?: string; manufacturer: string };
  commissioned: { at: string; txHash: string; batch: number; root: string } | null;
  transactions: ReportTransaction[];
  status: string;
  events: { eventID: string; type: string; bizStep: string | null; eventTime: string; anchored: boolean }[];
}

/**
 * The transaction statement (FD&C Act §581(27)), made by the seller of each transaction listed.
 */
export const TRANSACTION_STATEMENT = [
  'is authorized as required under the Drug Supply Chain Security Act;',
  'received the product from a person that is authorized as required under the Drug Supply Chain Security Act;',
  'received transaction information and a transaction statement from the prior owner of the product, as required under section 582;',
  'did not knowingly ship a suspect or illegitimate product;',
  'had systems and processes in place to comply with verification requirements under section 582;',
  'did not knowingly provide false transaction information; and',
  'did not knowingly alter the transaction history.',
];

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function recordsReport(r: ReportInput): string {
  const lines = [
    `# Transaction information and statements`,
    '',
    `Request ${r.requestId} from ${r.requester}, received ${r.receivedAt}, due by ${r.dueBy} (one business day); answered ${r.answeredAt} by ${r.responder}.`,
    '',
    '## Product',
    '',
    `| GTIN | serial | lot | expiry | manufacturer |`,
    `|---|---|---|---|---|`,
    `| ${r.product.gtin} | ${cell(r.product.serial)} | ${cell(r.product.lot)} | ${r.product.expiry} | ${cell(r.product.manufacturer)} |`,
    '',
    `Status on the ledger: **${r.status}**.`,
    '',
    r.commissioned
      ? `Commissioned ${r.commissioned.at} in batch ${r.commissioned.batch} (Merkle root ${r.commissioned.root}), transaction ${r.commissioned.txHash}.`
      : 'No commissioning of this product is on the ledger.',
    '',
    '## Transactions',
    '',
  ];
  if (r.transactions.length === 0) lines.push('No change of ownership is on the ledger.');
  else {
    lines.push('| shipped | from | to | received | shipment | ledger transaction |', '|---|---|---|---|---|---|');
    for (const t of r.transactions) lines.push(`| ${t.shippedAt} | ${cell(t.from)} | ${cell(t.to)} | ${t.receivedAt ?? `not received (${t.state})`} | ${t.shipmentId} | ${t.txHash} |`);
    lines.push('', '## Transaction statements', '');
    for (const seller of [...new Set(r.transactions.map((t) => t.from))]) {
      lines.push(`${seller}, as seller, states that it:`, '', ...TRANSACTION_STATEMENT.map((s) => `- ${s}`), '');
    }
  }
  lines.push('## EPCIS events', '');
  if (r.events.length === 0) lines.push(`${r.responder} holds no EPCIS event about this product.`);
  else {
    lines.push('| event time | type | business step | event ID | anchored |', '|---|---|---|---|---|');
    for (const e of r.events) lines.push(`| ${e.eventTime} | ${e.type} | ${e.bizStep ?? ''} | ${e.eventID} | ${e.anchored ? 'yes' : 'not yet'} |`);
  }
  lines.push('', 'Every ledger transaction above can be checked on the chain; every anchored event with its inclusion proof against the responder\'s anchored supply-log root (see `proofs`).', '');
  return lines.join('\n');
}
