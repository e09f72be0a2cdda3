// 考核细则 (附件1) as versions: everyone with quota:view reads the published ones; the
// province drafts a version from one shown, edits its items and publishes it. The server
// validates the whole draft (points adding up to 100, each formula's parameters): its
// message is shown as is.
import { computed, reactive, ref } from "vue";
import { useRoute, useRouter } from "vue-router";
import { ElMessage, ElMessageBox } from "element-plus";
import { gql } from "../api.js";
import { ConnectionTable, PageState, useLoad } from "../components.js";
import { can, fmtTime } from "../util.js";

const PAGE = "pageInfo { hasNextPage endCursor } totalCount";
const ITEM = `code title maxPoints computed formula
  params { keyWeight proportional youthPerCadre campaign groupShare choiceShare }`;
const VERSION = `id number published publishedAt createdAt note totalPoints items { ${ITEM} }`;
const FORMULA = {
  ORGAN_FIVE_ONES: "领导机关每期五个一", CADRE_FIVE_ONES: "团干部每期五个一",
  ORGAN_WORKING_GROUPS: "工作小组与联系书记", ORGAN_OPEN_DAY: "领导机关开放日",
  CADRE_CAMPAIGN: "团干部参加集中活动", COUNTY_NOMINATION: "县级推荐故事",
  CADRE_MONTHS_USED: "每月使用系统", CADRE_YOUTH: "联系青年数", CADRE_ACTIVITIES: "活动数对指标",
  CADRE_MONTHS_ON_MOBILE: "每月用手机端", CADRE_LEARN_AND_DO: "指导一学一做", MANUAL: "人工录入",
};
// Each parameter: its label, and the bounds of its input (the server checks them again).
const PARAMS = {
  keyWeight: { label: "重点对象权重", min: 1, max: 10, step: 0.5 },
  youthPerCadre: { label: "每人联系青年数", min: 1, max: 1000, step: 1 },
  groupShare: { label: "工作小组占比", min: 0, max: 1, step: 0.1 },
  choiceShare: { label: "选定支部占比", min: 0, max: 1, step: 0.1 },
};
const CAMPAIGN = { OPEN_DAY: "开放日", LECTURE: "宣讲", YOUTH_STORY: "最美青春故事", SERVICE_MONTH: "服务青年月" };
const fail = (e) => {
  if (e !== "cancel" && e !== "close") ElMessage.error(e.message || String(e));
};

// An item as the form edits it, and back as RubricItemInput (parameters left out are null).
const editable = (i) => ({ code: i.code, title: i.title, points: i.maxPoints, formula: i.formula, params: { ...i.params } });
const asInput = (i) => ({ code: i.code, title: i.title, points: i.points, formula: i.formula, ...i.params });
const describe = (p) => [
  ...Object.entries(PARAMS).filter(([k]) => p[k] != null).map(([k, d]) => `${d.label} ${p[k]}`),
  p.campaign ? `集中活动 ${CAMPAIGN[p.campaign]}` : "",
  p.proportional === false ? "全部完成才计分" : "",
].filter(Boolean).join("；");

export default {
  name: "RubricPage",
  components: { ConnectionTable, PageState },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const table = ref(null);
    const list = `query($first: Int, $after: String) { rubricVersions(first: $first, after: $after) { ${PAGE}
      nodes { id number published publishedAt note totalPoints } } }`;
    const show = (row) => router.push({ path: "/rubric", query: { id: row.id } });
    const draft = reactive({ items: [], note: "" });
    const version = useLoad(async () => {
      if (!route.query.id) return null;
      const v = (await gql(`query($id: ID!) { rubricVersion(id: $id) { ${VERSION} } }`, { id: route.query.id })).rubricVersion;
      draft.items = v.items.map(editable);
      draft.note = v.note;
      return v;
    }, () => route.query.id);
    const editing = computed(() => version.data && !version.data.published && can("quota:manage"));
    const total = computed(() => draft.items.reduce((s, i) => s + (Number(i.points) || 0), 0));

    async function propose() {
      try {
        const v = (await gql(`mutation($items: [RubricItemInput!]!, $note: String!) {
          proposeRubricVersion(items: $items, note: $note) { id number } }`,
          { items: version.data.items.map(editable).map(asInput), note: `以版本 ${version.data.number} 为底` })).proposeRubricVersion;
        ElMessage.success(`已拟定草稿：版本 ${v.number}`);
        table.value.reload();
        router.push({ path: "/rubric", query: { id: v.id } });
      } catch (e) { fail(e); }
    }
    async function save() {
      try {
        await gql(`mutation($id: ID!, $items: [RubricItemInput!]!, $note: String) {
          updateRubricDraft(id: $id, items: $items, note: $note) { id } }`,
          { id: version.data.id, items: draft.items.map(asInput), note: draft.note });
        ElMessage.success("草稿已保存");
        version.reload();
        table.value.reload();
      } catch (e) { fail(e); }
    }
    async function publish() {
      try {
        await ElMessageBox.confirm("发布后不可更改；此后开启的考核按它计分，已开启的考核不受影响。", `发布版本 ${version.data.number}`, { type: "warning" });
        await gql(`mutation($id: ID!) { publishRubricVersion(id: $id) { id } }`, { id: version.data.id });
        ElMessage.success("已发布");
        version.reload();
        table.value.reload();
      } catch (e) { fail(e); }
    }
    const addItem = () => draft.items.push({ code: "", title: "", points: 0, formula: "MANUAL", params: {} });
    const removeItem = (index) => draft.items.splice(index, 1);
    return {
      route, table, list, show, version, draft, editing, total, propose, save, publish, addItem, removeItem,
      can, fmtTime, describe, FORMULA, PARAMS, CAMPAIGN,
    };
  },
  template: `
  <section aria-labelledby="rubric-title">
    <h2 id="rubric-title">考核细则（附件1）版本</h2>
    <p class="muted">每轮考核开启时冻结当时已发布的最新版本，此后按它计分；发布新版本不影响已开启的考核。</p>
    <ConnectionTable ref="table" :query="list" path="rubricVersions" label="考核细则版本" :page-size="10">
      <el-table-column prop="number" label="版本" width="70" />
      <el-table-column label="状态" width="90"><template #default="{ row }">
        <el-tag size="small" :type="row.published ? 'success' : 'warning'">{{ row.published ? '已发布' : '草稿' }}</el-tag></template></el-table-column>
      <el-table-column prop="note" label="说明" />
      <el-table-column prop="totalPoints" label="合计" width="80" />
      <el-table-column label="发布时间" width="150"><template #default="{ row }">{{ fmtTime(row.publishedAt) }}</template></el-table-column>
      <el-table-column label="操作" width="90"><template #default="{ row }">
        <el-button size="small" :type="route.query.id === row.id ? 'primary' : ''" :aria-label="'查看版本 ' + row.number" @click="show(row)">查看</el-button></template></el-table-column>
    </ConnectionTable>
    <PageState v-if="route.query.id" :state="version">
      <el-card v-if="version.data" shadow="never" class="block">
        <template #header>版本 {{ version.data.number }}
          <el-tag size="small" :type="version.data.published ? 'success' : 'warning'">{{ version.data.published ? '已发布' : '草稿' }}</el-tag></template>
        <div v-if="can('quota:manage')" class="actions">
          <el-button @click="propose">以此为底拟定新版本</el-button>
          <template v-if="editing">
            <el-button type="primary" @click="save">保存草稿</el-button>
            <el-button type="danger" @click="publish">发布</el-button>
          </template>
        </div>
        <el-table v-if="!editing" :data="version.data.items" size="small" aria-label="考核项">
          <el-table-column prop="code" label="条目" width="70" /><el-table-column prop="title" label="考核项" />
          <el-table-column prop="maxPoints" label="分值" width="70" />
          <el-table-column label="计分方式" width="160"><template #default="{ row }">{{ FORMULA[row.formula] }}</template></el-table-column>
          <el-table-column label="参数"><template #default="{ row }">{{ describe(row.params) }}</template></el-table-column>
        </el-table>
        <form v-else @submit.prevent="save" aria-label="编辑草稿">
          <label for="rb-note" class="field-label">版本说明</label>
          <el-input id="rb-note" v-model="draft.note" style="max-width: 480px" />
          <el-table :data="draft.items" size="small" aria-label="草稿考核项">
            <el-table-column label="条目" width="90"><template #default="{ row, $index }">
              <el-input v-model="row.code" :aria-label="'条目 ' + ($index + 1) + ' 编号'" /></template></el-table-column>
            <el-table-column label="考核项"><template #default="{ row }">
              <el-input v-model="row.title" :aria-label="row.code + ' 名称'" /></template></el-table-column>
            <el-table-column label="分值" width="130"><template #default="{ row }">
              <el-input-number v-model="row.points" :min="0" :max="100" :step="0.5" size="small" :aria-label="row.code + ' 分值'" /></template></el-table-column>
            <el-table-column label="计分方式" width="170"><template #default="{ row }">
              <el-select v-model="row.formula" size="small" :aria-label="row.code + ' 计分方式'">
                <el-option v-for="(text, key) in FORMULA" :key="key" :label="text" :value="key" /></el-select></template></el-table-column>
            <el-table-column label="参数" min-width="260"><template #default="{ row }">
              <div v-for="(d, key) in PARAMS" :key="key"><template v-if="row.params[key] != null">
                <span class="field-label">{{ d.label }}</span>
                <el-input-number v-model="row.params[key]" :min="d.min" :max="d.max" :step="d.step" size="small" :aria-label="row.code + ' ' + d.label" /></template></div>
              <div v-if="row.params.campaign != null"><span class="field-label">集中活动</span>
                <el-select v-model="row.params.campaign" size="small" style="width: 130px" :aria-label="row.code + ' 集中活动'">
                  <el-option v-for="(text, key) in CAMPAIGN" :key="key" :label="text" :value="key" /></el-select></div>
              <el-checkbox v-if="row.params.proportional != null" v-model="row.params.proportional" :aria-label="row.code + ' 按比例得分'">按比例得分</el-checkbox>
            </template></el-table-column>
            <el-table-column label="" width="70"><template #default="{ row, $index }">
              <el-button size="small" link type="danger" :aria-label="'删除 ' + row.code" @click="removeItem($index)">删除</el-button></template></el-table-column>
          </el-table>
          <div class="actions"><el-button @click="addItem">添加一项（人工录入）</el-button>
            <span data-testid="rubric-total">合计 {{ total }} 分（须为 100）</span></div>
        </form>
      </el-card>
    </PageState>
  </section>`,
};
