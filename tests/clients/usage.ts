// Compiled by tsc against the output of docs/codegen.ts (tests/test_clients.py): the generated
// documents are typed, carry their persisted-document hash, and the scalar map holds.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  EmployeeListDocument,
  PlanDetailDocument,
  type EmployeeListQuery,
  type EmployeeListQueryVariables,
  type PlanDetailQuery,
} from './generated/graphql';

// What a client sends instead of the document text.
export function persistedRequest<R, V>(document: TypedDocumentNode<R, V>, variables: V) {
  const { hash } = (document as unknown as { __meta__: { hash: string } }).__meta__;
  return { documentId: hash, variables };
}

const firstPage: EmployeeListQueryVariables = { first: 20 };
export const request = persistedRequest(EmployeeListDocument, firstPage);

export function names(data: EmployeeListQuery): string[] {
  return data.employees.edges.map((edge) => edge.node.name);
}

export function targets(data: PlanDetailQuery): string[] {
  const plan = data.node?.__typename === 'PerformancePlan' ? data.node : null;
  // Decimal travels as text: the scalar map makes it a string, never unknown.
  return (plan?.results ?? []).flatMap((result) => result.indicators.flatMap((indicator) =>
    indicator.targetValue == null ? [] : [indicator.targetValue]));
}

export const planDetail = persistedRequest(PlanDetailDocument, { id: 'UGVyZm9ybWFuY2VQbGFuOjE' });
