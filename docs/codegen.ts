// graphql-codegen for a frontend on the Kinerja API: typed documents (client preset) and the
// persisted-documents manifest (sha256) that the server accepts by `documentId`.
//
//   npm install --save-dev @graphql-codegen/cli @graphql-codegen/client-preset typescript graphql
//   npx graphql-codegen --config codegen.ts
//
// Copy this file into the frontend and point `documents` at its sources (e.g. 'src/**/*.tsx'). As
// written it generates from the repository's own schema and example operations (the test suite runs
// it so, then type-checks the output). Deploy the manifest with the server: KINERJA_PERSISTED_DOCUMENTS
// names the manifest files it accepts (see docs/architecture.md, "Persisted documents").
import type { CodegenConfig } from '@graphql-codegen/cli';

const out = process.env.KINERJA_CODEGEN_OUT ?? 'src/gql/';

const config: CodegenConfig = {
  schema: process.env.KINERJA_CODEGEN_SCHEMA ?? 'schema/schema.graphql',
  documents: process.env.KINERJA_CODEGEN_DOCUMENTS ?? 'schema/operations/*.graphql',
  ignoreNoDocuments: false,
  generates: {
    [out]: {
      preset: 'client',
      presetConfig: {
        // Writes persisted-documents.json ({"<sha256 hex>": "<document>"}); each generated document
        // carries its hash, which the client sends as {"documentId": "<hash>", "variables": ...}.
        persistedDocuments: { mode: 'embedHashInDocument', hashAlgorithm: 'sha256' },
        fragmentMasking: false,
      },
      config: {
        // How the server's custom scalars travel in JSON.
        scalars: {
          Date: { input: 'string', output: 'string' },         // ISO 8601 date, "2026-01-31"
          DateTime: { input: 'string', output: 'string' },     // ISO 8601 with offset
          Decimal: { input: 'string', output: 'string' },      // exact decimal as text, "12.5"
          JSON: { input: 'unknown', output: 'unknown' },
        },
        enumsAsTypes: true,
        strictScalars: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
