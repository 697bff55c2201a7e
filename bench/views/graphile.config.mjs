// PostGraphile v5 for bench/views/run: the amber preset plus the connection-filter plugin (for
// `in` and `includesInsensitive`, which amber's `condition` lacks). bench/views/run copies this
// file into the cache directory next to node_modules, so the imports resolve there.
// Settings come from the environment the script sets: BENCH_PG_URL, BENCH_PG_PORT.
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.BENCH_PG_URL,
      schemas: ["public"],
    }),
  ],
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.BENCH_PG_PORT),
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
  schema: {
    // Only the operators the benchmark's queries use; the plugin's default set is larger.
    connectionFilterAllowedOperators: ["equalTo", "in", "includesInsensitive"],
  },
};

export default preset;
