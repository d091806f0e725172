// The one way the app talks to Trama: typed documents generated from
// graphql/operations, sent to the same origin's /graphql.
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useCallback, useEffect, useState } from 'react';
import i18n from '../i18n';
import { currentToken, SESSION_CHECK_EVENT } from '../session/token';

/** One problem with one field of bad input (the `fields` extension). */
export interface FieldProblem {
  field: string;
  reason?: string;
  message: string;
}

export interface ApiError {
  message: string;
  code?: string;
  field?: string;
  /** The code of the co-design rule that refused the request (`codesign.admin_only`). */
  rule?: string;
  /** BAD_USER_INPUT: every field's problem, in the request's language. */
  fields?: FieldProblem[];
}

export class GraphqlRequestError extends Error {
  constructor(public errors: ApiError[]) {
    super(errors.map((e) => e.message).join('; '));
  }

  /** NOT_FOUND: the record does not exist or is not public. */
  get notFound(): boolean {
    return this.errors.some((e) => e.code === 'NOT_FOUND');
  }
}

interface RawError {
  message: string;
  extensions?: { code?: string; field?: string; rule?: string; fields?: unknown };
}

function toFieldProblems(raw: unknown): FieldProblem[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  return raw.flatMap((item: unknown) => {
    const p = item as Partial<FieldProblem> | null;
    return p && typeof p.field === 'string' && typeof p.message === 'string'
      ? [{ field: p.field, reason: typeof p.reason === 'string' ? p.reason : undefined, message: p.message }]
      : [];
  });
}

/** The API's errors as the app uses them: message, code, field and every field's problem. */
export function toApiErrors(errors: RawError[]): ApiError[] {
  return errors.map((e) => {
    const error: ApiError = { message: e.message, code: e.extensions?.code, field: e.extensions?.field };
    if (e.extensions?.rule) error.rule = e.extensions.rule;
    const fields = toFieldProblems(e.extensions?.fields);
    if (fields) error.fields = fields;
    return error;
  });
}

export async function request<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const token = currentToken();
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json',
      'Accept-Language': i18n.language === 'en' ? 'en' : 'it',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: print(document), variables }),
  });
  let body: { data?: TResult | null; errors?: RawError[] };
  try {
    body = await response.json();
  } catch {
    throw new GraphqlRequestError([{ message: i18n.t('errors.network'), code: 'NETWORK' }]);
  }
  if (body.errors?.length) {
    const errors = toApiErrors(body.errors);
    // The token may have expired or been signed out elsewhere (or only a
    // password was wrong): the session checks which.
    if (token && errors.some((e) => e.code === 'UNAUTHENTICATED')) window.dispatchEvent(new Event(SESSION_CHECK_EVENT));
    throw new GraphqlRequestError(errors);
  }
  if (body.data == null) throw new GraphqlRequestError([{ message: i18n.t('errors.network'), code: 'NETWORK' }]);
  return body.data;
}

export interface QueryState<T> {
  data?: T;
  error?: GraphqlRequestError;
  loading: boolean;
}

/**
 * Runs a query when the component mounts and whenever its variables change
 * (not while `skip`); `reload` runs it again.
 */
export function useQuery<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  options: { skip?: boolean } = {},
): QueryState<TResult> & { reload: () => void } {
  const key = JSON.stringify(variables);
  const skip = options.skip ?? false;
  const [state, setState] = useState<QueryState<TResult>>({ loading: !skip });
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  useEffect(() => {
    if (skip) {
      setState({ loading: false });
      return;
    }
    let current = true;
    setState((previous) => ({ data: previous.data, loading: true }));
    request(document, JSON.parse(key) as TVariables).then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) =>
        current &&
        setState({
          loading: false,
          error:
            error instanceof GraphqlRequestError
              ? error
              : new GraphqlRequestError([{ message: i18n.t('errors.network'), code: 'NETWORK' }]),
        }),
    );
    return () => {
      current = false;
    };
  }, [document, key, skip, round]);
  return { ...state, reload };
}
