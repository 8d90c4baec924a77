/**
 * tRPC over plain HTTP, as the api's clients send it (tRPC v11 `httpLink`, no transformer):
 * a query is `GET /trpc/<path>?input=<json>`, a mutation `POST /trpc/<path>` with the JSON
 * input as body; the answer is `{ result: { data } }` or `{ error }`.
 */
export function queryPath(procedure: string, input?: unknown): string {
  return input === undefined
    ? `/trpc/${procedure}`
    : `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
}

export class TrpcCallError extends Error {
  constructor(
    readonly procedure: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${procedure} answered ${status}: ${body.slice(0, 500)}`);
  }
}

async function answer<T>(procedure: string, response: Response): Promise<T> {
  const body = await response.text();
  if (!response.ok) throw new TrpcCallError(procedure, response.status, body);
  return (JSON.parse(body) as { result: { data: T } }).result.data;
}

export async function query<T>(
  baseUrl: string,
  procedure: string,
  authorization: string,
  input?: unknown,
): Promise<T> {
  const response = await fetch(baseUrl + queryPath(procedure, input), {
    headers: { authorization },
  });
  return answer<T>(procedure, response);
}

export async function mutate<T>(
  baseUrl: string,
  procedure: string,
  authorization: string,
  input: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}/trpc/${procedure}`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return answer<T>(procedure, response);
}
