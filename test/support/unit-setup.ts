import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/** One PostgreSQL server for the unit run; each test file makes its own database on it. */
export default function setup(project: TestProject): () => void {
  const postgres = startPostgres();
  project.provide('postgresUrl', postgres.url);
  return () => postgres.stop();
}
