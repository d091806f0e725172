import { describe, expect, it } from 'vitest';
import { retryDelay, socketUrl } from './graphql/live';

describe('live updates', () => {
  it('open the socket on the page’s own host, secure when the page is', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/graphql/ws');
    expect(socketUrl({ protocol: 'https:', host: 'trama.example.it' })).toBe('wss://trama.example.it/graphql/ws');
  });

  it('wait longer after each dropped socket, up to half a minute', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map(retryDelay)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});
