// The one way the app talks to Trama: typed documents generated from
// graphql/operations, sent to the same origin's /graphql.
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useEffect, useState } from 'react';
import i18n from '../i18n';

export interface ApiError {
  message: string;
  code?: string;
  field?: string;
  /** Every field's problem, for bad input. */
  fields?: { field: string; message: string }[];
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
  extensions?: { code?: string; field?: string; fields?: { field: string; message: string }[] };
}

/** The API's errors as the app uses them: message, code and field. */
export function toApiErrors(errors: RawError[]): ApiError[] {
  return errors.map((e) => ({
    message: e.message,
    code: e.extensions?.code,
    field: e.extensions?.field,
    fields: e.extensions?.fields,
  }));
}

export async function request<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const token = window.localStorage.getItem('trama.token');
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
  if (body.errors?.length) throw new GraphqlRequestError(toApiErrors(body.errors));
  if (body.data == null) throw new GraphqlRequestError([{ message: i18n.t('errors.network'), code: 'NETWORK' }]);
  return body.data;
}

export interface QueryState<T> {
  data?: T;
  error?: GraphqlRequestError;
  loading: boolean;
}

/** Runs a query when the component mounts and whenever its variables change. */
export function useQuery<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): QueryState<TResult> {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<QueryState<TResult>>({ loading: true });
  useEffect(() => {
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
  }, [document, key]);
  return state;
}
