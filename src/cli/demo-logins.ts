/**
 * Demo logins for the portal on the demo network (`npm start`): at each organization, users for the
 * roles it has in the demo (staff and a privacy officer where patients are cared for; an operator at
 * the licensing board, who issues credentials). One shared demo password; never for production.
 * Clinicians are not made here: a clinician needs a licence issued by the board and presented.
 */
import { loadNodeConfig } from '../config/node-config.ts';
import { UserStore } from '../identity/users.ts';
import type { Role } from '../identity/principal.ts';
import { openNodeStorage } from '../node/services.ts';

export const DEMO_PASSWORD = 'carechain demo password';

const CARE = ['hospital', 'clinic', 'lab'];

/** The demo users of an organization of this kind. */
export function demoUsersFor(kind: string): { username: string; role: Role }[] {
  if (CARE.includes(kind)) return [{ username: 'demo.staff', role: 'staff' }, { username: 'demo.officer', role: 'privacy-officer' }];
  if (kind === 'licensing-board') return [{ username: 'demo.board', role: 'admin' }];
  return [{ username: 'demo.staff', role: 'staff' }];
}

/** Adds the demo users an organization lacks; returns the usernames it has. */
export async function ensureDemoLogins(home: string, org: { slug: string; kind: string }): Promise<string[]> {
  const storage = await openNodeStorage(loadNodeConfig({ org: org.slug, home }));
  try {
    const users = new UserStore(storage);
    const out: string[] = [];
    for (const u of demoUsersFor(org.kind)) {
      await users.add({ username: u.username, password: DEMO_PASSWORD, roles: [u.role] }).catch((err: Error) => {
        if (!/exists|taken|already/i.test(err.message)) throw err;
      });
      out.push(`${u.username} (${u.role})`);
    }
    return out;
  } finally {
    await storage.close();
  }
}
