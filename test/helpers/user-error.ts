import { expect } from 'vitest';
import { UserError } from '../../src/domain/errors.js';

/** The UserError a promise rejects with (fails the test when it resolves or rejects with anything else). */
export async function userError(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}
