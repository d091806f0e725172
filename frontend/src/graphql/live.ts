// Live updates over the graphql-transport-ws protocol on the same origin's
// /graphql/ws (the server also speaks it to GraphiQL), with the
// `graphql-ws` client: one socket per subscription, opened while a page
// listens and closed when it stops; a dropped socket is opened again after
// a pause. Nothing here is needed for a page to work: without live updates
// it shows what it loaded.
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
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
  if (typeof WebSocket === 'undefined') return () => undefined;
  const client = createClient({
    url: socketUrl(window.location),
    connectionParams: payload,
    // Keep trying for as long as the page listens: the server may be
    // restarting, or the network coming back.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => window.setTimeout(resolve, retryDelay(retries))),
  });
  const stop = client.subscribe<TResult>(
    { query: print(document), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.data) onData(result.data);
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  return () => {
    stop();
    void client.dispose();
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
