// Live updates: a small client of the graphql-transport-ws protocol over
// the same origin's /graphql/ws (the server also speaks it to GraphiQL).
// One socket per subscription, opened while a page listens and closed when
// it stops; a dropped socket is opened again after a pause. Nothing here is
// needed for a page to work: without live updates it shows what it loaded.
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useEffect, useRef } from 'react';

/** The WebSocket address of the API on this page's origin. */
export function socketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql/ws`;
}

/** How long to wait before opening a dropped socket again (1, 2, 4… up to 30 s). */
export function retryDelay(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
}

/**
 * Subscribes to `document`, calling `onData` with each result, until the
 * returned function is called. `payload` goes in `connection_init` (a
 * bearer token, for subscriptions that need one).
 */
export function subscribe<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
  payload: Record<string, unknown> = {},
): () => void {
  let socket: WebSocket | undefined;
  let stopped = false;
  let attempt = 0;
  let timer: number | undefined;
  const open = () => {
    if (stopped || typeof WebSocket === 'undefined') return;
    const ws = new WebSocket(socketUrl(window.location), 'graphql-transport-ws');
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init', payload }));
    ws.onmessage = (event) => {
      let message: { type?: string; payload?: { data?: TResult } };
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (message.type === 'connection_ack') {
        attempt = 0;
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: print(document), variables } }));
      } else if (message.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      } else if (message.type === 'next' && message.payload?.data) {
        onData(message.payload.data);
      }
    };
    ws.onclose = () => {
      if (stopped) return;
      timer = window.setTimeout(open, retryDelay(attempt++));
    };
  };
  open();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    if (socket && socket.readyState <= WebSocket.OPEN) {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ id: '1', type: 'complete' }));
      socket.close(1000);
    }
  };
}

/**
 * `subscribe` for a component: listens while mounted and while `key` (the
 * variables, say) stays the same; `enabled: false` does not listen. The
 * latest `onData` is called, so it may close over fresh state.
 */
export function useSubscription<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
  options: { enabled?: boolean; payload?: Record<string, unknown> } = {},
): void {
  const handler = useRef(onData);
  handler.current = onData;
  const key = JSON.stringify([variables, options.payload ?? {}]);
  const enabled = options.enabled ?? true;
  useEffect(() => {
    if (!enabled) return undefined;
    const [vars, payload] = JSON.parse(key) as [TVariables, Record<string, unknown>];
    return subscribe(document, vars, (data) => handler.current(data), payload);
  }, [document, key, enabled]);
}
