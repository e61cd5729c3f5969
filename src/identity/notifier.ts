/**
 * How the node reaches a patient outside the session of whoever asks: activation codes and "a key
 * was linked to your record" notices go to the contact on file (Patient.telecom), never to the staff
 * member who triggered them. Production deployments plug in an SMS or e-mail gateway; the embedded
 * demo writes each message to `<dataDir>/outbox/` (files 0600) — a development transport, read with
 * `carechain patient outbox`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Contact {
  system: 'email' | 'sms' | 'phone';
  value: string;
}

export interface Message {
  subject: string;
  body: string;
  /** Machine-readable fields (e.g. the activation code), for the demo's CLI. */
  data?: Record<string, string>;
}

export interface Notifier {
  send(to: Contact, message: Message): Promise<void>;
}

/** A contact shown to staff without revealing it whole: "sms ••••0199". */
export function maskContact(c: Contact): string {
  return `${c.system} ••••${c.value.replace(/\s/g, '').slice(-4)}`;
}

export class OutboxNotifier implements Notifier {
  constructor(private readonly dir: string) {}

  async send(to: Contact, message: Message): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, `${Date.now()}-${randomBytes(4).toString('hex')}.json`);
    writeFileSync(file, JSON.stringify({ to, ...message, sentAt: new Date().toISOString() }, null, 2) + '\n', { mode: 0o600 });
  }
}

/** The demo outbox's messages, oldest first. */
export function readOutbox(dir: string): ({ to: Contact; sentAt: string } & Message)[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}
