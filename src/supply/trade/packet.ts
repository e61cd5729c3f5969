/**
 * The data a seller sends its buyer with a shipment (DSCSA transaction information and statement,
 * carried as EPCIS): the EPCIS document (commissioning events of the items, an AggregationEvent per
 * container with what is inside, the shipping event), the lots, and for every unit shipped — top-level
 * or inside — what the buyer needs to act on it on the ledger later and to check it now: its key, its
 * commitment and its commissioning leaf with the inclusion proof to the batch root on chain.
 */
import type { Hex } from 'viem';
import { z } from 'zod';

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/);

export const transferPacketSchema = z
  .object({
    shipmentId: hex32,
    from: hex32,
    to: hex32,
    purpose: z.enum(['sale', 'return']),
    shippedAt: z.iso.datetime(),
    shippedBlock: z.number().int().nonnegative(),
    txHash: z.string().regex(/^0x[0-9a-f]{64}$/),
    lots: z.array(z.object({ lotId: hex32, gtin: z.string().regex(/^\d{14}$/), lot: z.string().min(1).max(20), expiry: z.iso.date(), manufacturer: hex32, product: z.string().max(200).nullable() }).strict()),
    units: z.array(
      z
        .object({
          id: z.string().min(3).max(60),
          key: hex32,
          lotId: hex32.nullable(),
          creator: hex32.nullable(),
          commitment: hex32,
          batch: z.number().int().nonnegative().nullable(),
          index: z.number().int().nonnegative().nullable(),
          parent: hex32.nullable(),
          proof: z.array(hex32).max(64).nullable(),
        })
        .strict(),
    ),
    manifest: z.object({ top: z.array(z.string()).min(1), contents: z.record(z.string(), z.array(z.string())) }).strict(),
    epcis: z.record(z.string(), z.unknown()),
  })
  .strict();

export type TransferPacket = z.infer<typeof transferPacketSchema> & { shipmentId: Hex; from: Hex; to: Hex };
export type DisclosedUnit = TransferPacket['units'][number];
