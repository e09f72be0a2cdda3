// Components shared by the pages: page state, cursor-paged tables, charts, pickers.
import { computed, defineComponent, markRaw, nextTick, onBeforeUnmount, onMounted, reactive, ref, shallowRef, watch } from "vue";
import * as echarts from "echarts";
import { gql } from "./api.js";
import NotFound from "./pages/notfound.js";

// Loading, an error with its message, or the not-found page (another tenant's object is
// NOT_FOUND, never FORBIDDEN: the console shows both as "not found / not yours").
export const PageState = defineComponent({
  name: "PageState",
  components: { NotFound },
  props: { state: { type: Object, required: true } },
  template: `
  <NotFound v-if="state.error && ['NOT_FOUND', 'FORBIDDEN'].includes(state.error.code)"
            :message="state.error.message" />
  <el-alert v-else-if="state.error" type="error" :title="state.error.message" :closable="false"
            show-icon role="alert" />
  <div v-else-if="state.loading" v-loading="true" class="page-loading" aria-busy="true"></div>
  <slot v-else />`,
});

// Run `fn` now and whenever `deps` change; { loading, error, data }.
export function useLoad(fn, deps = () => null) {
  const state = reactive({ loading: true, error: null, data: null });
  async function run() {
    state.loading = true;
    state.error = null;
    try {
      state.data = await fn();
    } catch (e) {
      state.error = e;
    } finally {
      state.loading = false;
    }
  }
  watch(deps, run, { immediate: true, deep: true });
  return Object.assign(state, { reload: run });
}

function dig(obj, path) {
  return path.split(".").reduce((o, k) => (o == null ? o : o[k]), obj);
}

// A Relay connection as a table with cursor paging: `query` takes $first and $after and the
// filter variables; `path` names the connection in the answer ("workLogs").
export const ConnectionTable = defineComponent({
  name: "ConnectionTable",
  props: {
    query: { type: String, required: true },
    path: { type: String, required: true },
    variables: { type: Object, default: () => ({}) },
    pageSize: { type: Number, default: 20 },
    label: { type: String, required: true },
  },
  emits: ["loaded"],
  setup(props, { emit, expose }) {
    const rows = ref([]);
    const total = ref(0);
    const error = ref(null);
    const loading = ref(false);
    const cursors = ref([null]); // the `after` of each page seen so far
    const page = ref(0);
    const hasNext = ref(false);

    async function load() {
      loading.value = true;
      error.value = null;
      try {
        const vars = { ...props.variables, first: props.pageSize, after: cursors.value[page.value] };
        for (const k of Object.keys(vars)) if (vars[k] === "" || vars[k] === undefined) vars[k] = null;
        const conn = dig(await gql(props.query, vars), props.path);
        rows.value = conn.edges ? conn.edges.map((e) => e.node) : conn.nodes;
        total.value = conn.totalCount ?? rows.value.length;
        hasNext.value = conn.pageInfo.hasNextPage;
        cursors.value[page.value + 1] = conn.pageInfo.endCursor;
        emit("loaded", rows.value);
      } catch (e) {
        error.value = e;
        rows.value = [];
      } finally {
        loading.value = false;
      }
    }
    function reset() {
      cursors.value = [null];
      page.value = 0;
      load();
    }
    // Filters typed into a field change on each key: ask once the typing pauses.
    let pause = null;
    watch(() => JSON.stringify(props.variables), () => {
      clearTimeout(pause);
      pause = setTimeout(reset, 250);
    });
    reset();
    expose({ reload: load, reset });
    return {
      rows, total, error, loading, page, hasNext,
      next() { page.value += 1; load(); },
      prev() { page.value -= 1; load(); },
    };
  },
  template: `
  <div class="conn-table">
    <el-alert v-if="error" type="error" :title="error.message" :closable="false" show-icon role="alert" />
    <el-table :data="rows" v-loading="loading" :aria-label="label" empty-text="暂无数据" stripe>
      <slot />
    </el-table>
    <div class="pager" role="navigation" :aria-label="label + '分页'">
      <span class="total">共 {{ total }} 条 · 第 {{ page + 1 }} 页</span>
      <el-button size="small" :disabled="page === 0 || loading" @click="prev">上一页</el-button>
      <el-button size="small" :disabled="!hasNext || loading" @click="next">下一页</el-button>
    </div>
  </div>`,
});

// An ECharts chart; `label` is read to screen readers (the figures are also in a table).
export const EChart = defineComponent({
  name: "EChart",
  props: {
    option: { type: Object, required: true },
    label: { type: String, required: true },
    height: { type: String, default: "280px" },
  },
  emits: ["pick"],
  setup(props, { emit }) {
    const el = ref(null);
    const chart = shallowRef(null);
    const resize = () => chart.value?.resize();
    onMounted(async () => {
      await nextTick();
      chart.value = markRaw(echarts.init(el.value, null, { renderer: "canvas" }));
      chart.value.setOption(props.option);
      chart.value.on("click", (p) => emit("pick", p));
      window.addEventListener("resize", resize);
    });
    watch(() => props.option, (o) => chart.value?.setOption(o, true), { deep: true });
    onBeforeUnmount(() => {
      window.removeEventListener("resize", resize);
      chart.value?.dispose();
    });
    return { el };
  },
  template: `<div ref="el" class="chart" role="img" :aria-label="label" :style="{ height }"></div>`,
});

// A select that searches the API as the user types. `fetch(q)` gives [{ value, text, name }];
// besides v-model it tells the chosen option's `name` ("named"), for the page to show. A value
// set by the page (a form filled from a row) shows as `knownText` until a search is made.
function remotePicker(name, placeholder, fetch) {
  return defineComponent({
    name,
    props: {
      modelValue: { type: String, default: "" }, id: { type: String, default: "" },
      placeholder: { type: String, default: placeholder }, knownText: { type: String, default: "" },
    },
    emits: ["update:modelValue", "named"],
    setup(props, { emit }) {
      const options = ref([]);
      const loading = ref(false);
      let asked = 0; // an older search answering late must not replace a newer one's options
      async function search(q) {
        const mine = ++asked;
        loading.value = true;
        try {
          const found = await fetch(q || null);
          if (mine === asked) options.value = found;
        } finally {
          if (mine === asked) loading.value = false;
        }
      }
      const value = computed({
        get: () => props.modelValue,
        set: (v) => {
          emit("update:modelValue", v);
          emit("named", options.value.find((o) => o.value === v)?.name || "");
        },
      });
      watch(() => [props.modelValue, props.knownText], ([v, text]) => {
        if (v && text && !options.value.some((o) => o.value === v)) options.value = [{ value: v, text, name: text }, ...options.value];
      }, { immediate: true });
      return { options, loading, search, value };
    },
    template: `
    <el-select v-model="value" filterable remote clearable :remote-method="search" :loading="loading"
               :placeholder="placeholder" :id="id" @focus="search('')" class="picker">
      <el-option v-for="o in options" :key="o.value" :label="o.text" :value="o.value" />
    </el-select>`,
  });
}

// An org the caller may see, by name or code.
export const OrgPicker = remotePicker("OrgPicker", "输入名称或代码搜索组织", async (s) =>
  (await gql(`query($s: String) { orgs(search: $s, first: 20) { nodes { id name } } }`, { s })).orgs.nodes
    .map((o) => ({ value: o.id, text: o.name, name: o.name })));

// An account, by its cadre's name (grants and delegations are given to accounts).
export const UserPicker = remotePicker("UserPicker", "输入姓名搜索团干部账号", async (s) =>
  (await gql(`query($s: String) { cadres(search: $s, first: 20) { nodes { userId name org { name } } } }`, { s })).cadres.nodes
    .map((c) => ({ value: c.userId, text: c.org ? `${c.name}（${c.org.name}）` : c.name, name: c.name })));

// A cadre the caller may see, by name (a nomination names one: its value is the Cadre's id).
export const CadrePicker = remotePicker("CadrePicker", "输入姓名搜索团干部", async (s) =>
  (await gql(`query($s: String) { cadres(search: $s, first: 20) { nodes { id name org { name } } } }`, { s })).cadres.nodes
    .map((c) => ({ value: c.id, text: c.org ? `${c.name}（${c.org.name}）` : c.name, name: c.name })));
