export * from '../core/events.js';
