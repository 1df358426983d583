import { register } from 'node:module';

register('./avsc-loader.mjs', import.meta.url);
