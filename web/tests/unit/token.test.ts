import { beforeEach, describe, expect, it } from 'vitest';
import {
  TOKEN_STORAGE_KEY,
  clearToken,
  fragmentHasToken,
  isPlausibleToken,
  loadToken,
  saveToken,
  tokenFromFragment,
} from '../../src/lib/token';

describe('tokenFromFragment', () => {
  it('reads the form the daemon prints', () => {
    expect(tokenFromFragment('#token=0123abcd')).toBe('0123abcd');
  });
  it('works without the leading #', () => {
    expect(tokenFromFragment('token=ff00')).toBe('ff00');
  });
  it('finds the token next to a route or other parameters', () => {
    expect(tokenFromFragment('#/settings&token=abc123')).toBe('abc123');
    expect(tokenFromFragment('#x=1&token=abc123&y=2')).toBe('abc123');
    expect(tokenFromFragment('#/monitor?token=beef')).toBe('beef');
  });
  it('decodes percent-encoding and trims', () => {
    expect(tokenFromFragment('#token=%20abc%20')).toBe('abc');
  });
  it('returns null when absent, empty or malformed', () => {
    expect(tokenFromFragment('')).toBeNull();
    expect(tokenFromFragment('#')).toBeNull();
    expect(tokenFromFragment('#/monitor')).toBeNull();
    expect(tokenFromFragment('#token=')).toBeNull();
    expect(tokenFromFragment('#token=a b')).toBeNull();
    expect(tokenFromFragment('#token=%E0%A4%A')).toBeNull();
    expect(tokenFromFragment('#mytoken=abc')).toBeNull();
  });
  it('fragmentHasToken detects even malformed tokens so they get scrubbed', () => {
    expect(fragmentHasToken('#token=')).toBe(true);
    expect(fragmentHasToken('#/monitor&token=x y')).toBe(true);
    expect(fragmentHasToken('#/monitor')).toBe(false);
    expect(fragmentHasToken('#mytoken=1')).toBe(false);
  });
});

describe('isPlausibleToken', () => {
  it('accepts subprotocol-safe characters only', () => {
    expect(isPlausibleToken('a1B2-._~')).toBe(true);
    expect(isPlausibleToken('')).toBe(false);
    expect(isPlausibleToken('a,b')).toBe(false);
    expect(isPlausibleToken('x'.repeat(513))).toBe(false);
  });
});

describe('token storage', () => {
  beforeEach(() => localStorage.clear());
  it('round-trips through localStorage under packetscope.token', () => {
    expect(loadToken()).toBeNull();
    saveToken('abc');
    expect(localStorage.getItem(TOKEN_STORAGE_KEY)).toBe('abc');
    expect(loadToken()).toBe('abc');
    clearToken();
    expect(loadToken()).toBeNull();
  });
  it('ignores a stored value that cannot be a token', () => {
    localStorage.setItem(TOKEN_STORAGE_KEY, 'not a token');
    expect(loadToken()).toBeNull();
  });
});
