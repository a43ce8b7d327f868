/** The scope rules every layer shares: the outermost scope id and how calls name their scope. */
import { ValidationError } from '../../../src/errors.ts'
import { eq } from '../../../src/filters/ast.ts'
import { partitionOf } from '../../../src/local/partition-keys.ts'
import { parseUserFilters, resolveScope, writeLockKey } from '../../../src/memory/scope.ts'
import { outermostScope } from '../../../src/util/outermost-scope.ts'
import { describe, expect, it } from '../../harness.ts'

describe('outermost scope id', () => {
  it('is the user, else the agent, else the run; the write lock and the partition key both follow it', () => {
    const cases = [
      [{ user_id: 'ü 1', agent_id: 'a', run_id: 'r' }, 'u', 'ü 1'],
      [{ agent_id: 'a', run_id: 'r' }, 'a', 'a'],
      [{ run_id: 'r/1' }, 'r', 'r/1'],
    ] as const
    for (const [scope, kind, id] of cases) {
      expect(outermostScope(scope)).toEqual({ kind, id })
      expect(writeLockKey(scope)).toBe(`${kind}:${id}`)
      expect(partitionOf(scope)).toBe(`${kind}.${encodeURIComponent(id)}`)
    }
    expect(outermostScope({ user_id: 5, agent_id: 'a' })).toEqual({ kind: 'a', id: 'a' })
    expect(outermostScope({})).toBeUndefined()
    expect(partitionOf({})).toBe('_')
  })
})

describe('resolveScope', () => {
  it('takes ids from options and filter equalities, refusing conflicts and calls without any id', () => {
    expect(resolveScope({ agentId: 'a' }, eq('user_id', 'u'), 'search')).toEqual({ user_id: 'u', agent_id: 'a' })
    expect(() => resolveScope({ userId: 'x' }, eq('user_id', 'u'), 'search')).toThrow(
      'search: userId "x" conflicts with filters.user_id "u"',
    )
    expect(() => resolveScope({}, undefined, 'add')).toThrow(/^add needs at least one of userId, agentId or runId/)
    expect(() => resolveScope({ userId: '' }, undefined, 'add')).toThrow(ValidationError)
  })

  it('names the ids as the REST API does when asked (the Worker validates with it)', () => {
    expect(() => resolveScope({}, undefined, 'get_all', 'rest')).toThrow(/^get_all needs at least one of user_id, agent_id or run_id/)
    expect(() => resolveScope({ userId: 'x'.repeat(257) }, undefined, 'add', 'rest')).toThrow(/^user_id must be a non-empty string/)
    expect(() => resolveScope({ runId: 'x' }, parseUserFilters({ run_id: 'y' }, 'search'), 'search', 'rest')).toThrow(
      'search: run_id "x" conflicts with filters.run_id "y"',
    )
    expect(() => parseUserFilters([], 'search')).toThrow('search: filters must be an object')
  })
})
