import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sthMessage as nodeSth } from '../../src/audit/audit-log.ts';
import { noticeMessage as nodeNotice } from '../../src/consent/protocol.ts';
import { patientLoginMessage as nodeLogin } from '../../src/identity/patient-challenges.ts';
import { noticeMessage, patientLoginMessage, sthMessage } from './messages.ts';

test('the portal signs and checks the very strings the node does', () => {
  const org = `0x${'12'.repeat(32)}` as const;
  assert.equal(patientLoginMessage(org, 'abc'), nodeLogin(org, 'abc'));
  const sth = { org: 'st-mary', treeSize: 42, root: `0x${'ab'.repeat(32)}` as const, timestamp: '2026-01-01T00:00:00.000Z' };
  assert.equal(sthMessage(sth), nodeSth(sth));
  assert.equal(noticeMessage('0xABC', '0xDEF'), nodeNotice('0xABC', '0xDEF'));
});
