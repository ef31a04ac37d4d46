import { describe, expect, it } from 'vitest';
import { issueNodePath, moduleIssuePath } from '../src/index.js';

const CONFIG = {
  modules: [
    { name: 'api', type: 'http', config: { ports: [80, 443], tls: { cert: 'c' } } },
    { name: 'db.primary', type: 'pg', config: { pool: 5 } },
    { name: 'db', type: 'pg', dependsOn: ['api'] },
  ],
  platform: { regions: ['eu', 'us'] },
};

describe('moduleIssuePath', () => {
  it('names the module, then the place inside it', () => {
    expect(moduleIssuePath('api')).toBe('modules.api');
    expect(moduleIssuePath('api', 'config.port')).toBe('modules.api.config.port');
    expect(moduleIssuePath('api', ['config', 'ports', 1])).toBe('modules.api.config.ports.1');
    expect(moduleIssuePath('db.primary', [])).toBe('modules.db.primary');
  });
});

describe('issueNodePath', () => {
  it('turns module names into indexes, and list positions into numbers', () => {
    expect(issueNodePath(CONFIG, 'modules.api.config.ports.1')).toEqual(['modules', 0, 'config', 'ports', 1]);
    expect(issueNodePath(CONFIG, 'modules.api')).toEqual(['modules', 0]);
    expect(issueNodePath(CONFIG, 'platform.regions.0')).toEqual(['platform', 'regions', 0]);
    expect(issueNodePath(CONFIG, 'modules')).toEqual(['modules']);
    expect(issueNodePath(CONFIG, '')).toEqual([]);
  });

  it('keeps what the config lacks as given, so a caller can fall back to the nearest ancestor', () => {
    expect(issueNodePath(CONFIG, 'modules.api.config.tls.key.file')).toEqual([
      'modules',
      0,
      'config',
      'tls',
      'key',
      'file',
    ]);
    expect(issueNodePath(CONFIG, 'modules.api.config.ports.x')).toEqual([
      'modules',
      0,
      'config',
      'ports',
      'x',
    ]);
  });

  it('reads names with dots: the longest name whose module has the key that follows', () => {
    expect(issueNodePath(CONFIG, 'modules.db.primary.config.pool')).toEqual(['modules', 1, 'config', 'pool']);
    expect(issueNodePath(CONFIG, 'modules.db.primary')).toEqual(['modules', 1]);
    expect(issueNodePath(CONFIG, 'modules.db.dependsOn.0')).toEqual(['modules', 2, 'dependsOn', 0]);
    // `db.primary` has no `x`, and neither has `db`: the longer name is the better guess.
    expect(issueNodePath(CONFIG, 'modules.db.primary.x')).toEqual(['modules', 1, 'x']);
  });

  it('is undefined for a module the config does not have, and reads what moduleIssuePath writes', () => {
    expect(issueNodePath(CONFIG, 'modules.cache.config')).toBeUndefined();
    expect(issueNodePath({ modules: 'not a list' }, 'modules.api')).toBeUndefined();
    for (const [i, m] of CONFIG.modules.entries()) {
      expect(issueNodePath(CONFIG, moduleIssuePath(m.name, 'type'))).toEqual(['modules', i, 'type']);
    }
  });
});
