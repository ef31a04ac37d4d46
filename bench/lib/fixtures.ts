import type { AppConfig, ModuleConfig } from '@cfg/source';

/**
 * A config of `count` modules shaped like a real one (nested config, tags, a dependency chain) plus two
 * sections. The middle module's `limits.rps` is `middleRps`, so two configs that differ only there
 * differ in exactly one module and share no objects, as after a re-parse.
 */
export function makeConfig(count: number, middleRps = 100): AppConfig {
  const middle = Math.floor(count / 2);
  const modules: ModuleConfig[] = [];
  for (let i = 0; i < count; i++) {
    modules.push({
      name: `module-${i}`,
      type: i % 3 === 0 ? 'http' : 'worker',
      config: {
        port: 8000 + i,
        limits: { rps: i === middle ? middleRps : 100, burst: 20 },
        tags: ['a', `t${i % 7}`],
        tls: { on: true },
      },
      dependsOn: i > 0 ? [`module-${i - 1}`] : [],
    });
  }
  return { modules, platform: { region: 'eu' }, workflows: { main: { steps: ['a', 'b'] } } };
}
