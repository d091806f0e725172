// Typed documents for the operations in graphql/operations, checked against
// the committed schema: a field the app uses that the schema drops fails the build.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  // TRAMA_SCHEMA: another schema to check the app against (scripts/check-app-schema).
  schema: process.env.TRAMA_SCHEMA ?? '../graphql/schema.graphql',
  documents: ['../graphql/operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    './generated/graphql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        scalars: { Cents: 'number', DateTime: 'string', NaiveDate: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
