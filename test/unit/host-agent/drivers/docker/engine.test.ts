import { describe, expect, it } from 'vitest';
import { engineAddress } from '../../../../../host-agent/drivers/docker/engine';

describe('engineAddress', () => {
  it('reads DOCKER_HOST forms the docker CLI accepts', () => {
    expect(engineAddress(undefined)).toEqual({ display: 'unix:///var/run/docker.sock', options: { socketPath: '/var/run/docker.sock' } });
    expect(engineAddress('unix:///tmp/d/docker.sock').options).toEqual({ socketPath: '/tmp/d/docker.sock' });
    expect(engineAddress('tcp://127.0.0.1:2375').options).toEqual({ host: '127.0.0.1', port: 2375, protocol: 'http' });
  });

  it('refuses anything else, saying what it expected', () => {
    expect(() => engineAddress('ssh://box')).toThrow('DOCKER_HOST: expected unix:///path/to/docker.sock or tcp://host:port, got "ssh://box"');
  });
});
