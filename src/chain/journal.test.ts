import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InternalRpcError, MethodNotFoundRpcError, RpcRequestError } from 'viem';
import { isClientFailure } from './journal.ts';

const rpc = (code: number, message: string) => new RpcRequestError({ body: {}, url: 'http://x', error: { code, message } });

test('isClientFailure: the server failing on its own, not a refusal', () => {
  const cases: [string, unknown, boolean][] = [
    ['EthereumJS under Clique', new InternalRpcError(rpc(-32603, 'extraData must be 97 bytes on non-epoch transition blocks')), true],
    ['method missing', new MethodNotFoundRpcError(rpc(-32601, 'Method not found')), true],
    ['a revert reported as an internal error', new InternalRpcError(rpc(-32603, 'execution reverted: NotRegistrar')), false],
    ['a revert (code 3)', rpc(3, 'execution reverted'), false],
    ['insufficient funds (-32000)', rpc(-32000, 'insufficient funds for gas * price + value'), false],
    ['not an RPC error', new Error('socket hang up'), false],
  ];
  for (const [name, err, expected] of cases) assert.equal(isClientFailure(err), expected, name);
});
