/** Migrations are bundled as text (tsup `loader: { '.sql': 'text' }`, and a vitest plugin for tests). */
declare module '*.sql' {
  const text: string;
  export default text;
}
