export * from '../core/hash.js';
