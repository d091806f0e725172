// Two entries: the app (index.html) and GraphiQL (graphiql.html), both
// bundled so that no page loads anything from another host.
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

export default defineConfig({
  plugins: [react()],
  // Every page is the app's: no file is copied as it is.
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      input: {
        app: resolve(__dirname, 'index.html'),
        graphiql: resolve(__dirname, 'graphiql.html'),
      },
    },
  },
  server: {
    proxy: {
      // ws: live updates over /graphql/ws.
      '/graphql': { target: 'http://127.0.0.1:8080', ws: true },
      '/opendata': 'http://127.0.0.1:8080',
      '/geo': 'http://127.0.0.1:8080',
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  },
});
