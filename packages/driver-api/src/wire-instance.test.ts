import { describe, expect, it } from 'vitest';
import { wireInstance, type DriverInstance } from './index.js';

const instance: DriverInstance = { id: 'i-1', team: 'shop', name: 'orders-db', externalName: 'pv_shop_orders_db_12345678', product: 'postgres', plan: 'small', values: { connectionLimit: 20 } };

describe('wireInstance', () => {
  it('sends every field, with rotation 0 before any rotation and no workload when none asked', () => {
    expect(JSON.parse(JSON.stringify(wireInstance(instance)))).toEqual({ ...instance, rotation: 0 });
  });

  it('carries the rotation and the workload that asked for the instance', () => {
    const wire = wireInstance({ ...instance, rotation: 2, workload: { service: 'shop', environment: 'prod' } });
    expect(JSON.parse(JSON.stringify(wire))).toEqual({ ...instance, rotation: 2, workload: { service: 'shop', environment: 'prod' } });
  });
});
