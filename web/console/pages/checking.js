// Checking and assessment: quarterly reports, bulletins, assessment rounds, spot checks.
import { reactive, ref } from "vue";
import { useRoute, useRouter } from "vue-router";
import { ElMessage, ElMessageBox } from "element-plus";
import { gql } from "../api.js";
import { ConnectionTable, OrgPicker, PageState, useLoad } from "../components.js";
import { can, download, fmtTime } from "../util.js";

const PAGE = "pageInfo { hasNextPage endCursor } totalCount";
const BULLETIN_COLUMNS = {
  name: "组织", cadres: "团干部", activeCadres: "活跃团干部", points: "积分", pointsPerCadre: "人均积分",
  youthInContact: "联系小伙伴", fiveOnesDone: "五个一完成", fiveOnesRate: "五个一完成率",
  satisfaction: "满意度", spotCheckPassRate: "抽查核实率", flags: "可疑标记",
};
const BULLETIN_ROW = Object.keys(BULLETIN_COLUMNS).join(" ");
const now = new Date();
const thisQuarter = Math.floor(now.getMonth() / 3) + 1;
const fail = (e) => {
  if (e !== "cancel" && e !== "close") ElMessage.error(e.message || String(e));
};

const REPORT_STATUS = { SUBMITTED: "已报送", APPROVED: "已通过", RETURNED: "已退回" };
export const Reports = {
  name: "ReportsPage",
  components: { ConnectionTable, OrgPicker },
  setup() {
    const f = reactive({ year: now.getFullYear(), quarter: null, status: "" });
    const table = ref(null);
    const form = reactive({ orgId: "", year: now.getFullYear(), quarter: thisQuarter, practices: "", experience: "", problems: "", nextSteps: "" });
    const query = `query($year: Int, $quarter: Int, $status: ReportStatus, $first: Int, $after: String) {
      reports(year: $year, quarter: $quarter, status: $status, first: $first, after: $after) { ${PAGE}
        nodes { id year quarter status version late reviewComment org { name }
          versions(first: 100) { nodes { version practices experience problems nextSteps submittedAt } } } } }`;
    async function submit() {
      try {
        await gql(`mutation($o: ID!, $y: Int!, $q: Int!, $a: String!, $b: String!, $c: String!, $d: String!) {
          submitReport(orgId: $o, year: $y, quarter: $q, practices: $a, experience: $b, problems: $c, nextSteps: $d) { id version } }`,
          { o: form.orgId, y: form.year, q: form.quarter, a: form.practices, b: form.experience, c: form.problems, d: form.nextSteps });
        ElMessage.success("已报送");
        table.value.reload();
      } catch (e) { fail(e); }
    }
    async function review(row, approve) {
      try {
        let comment = "";
        if (!approve) comment = (await ElMessageBox.prompt("退回意见", "退回报送", { inputValidator: (v) => Boolean(v?.trim()) || "请填写意见" })).value;
        await gql(`mutation($id: ID!, $a: Boolean!, $c: String!) { reviewReport(id: $id, approve: $a, comment: $c) { id status } }`, { id: row.id, a: approve, c: comment });
        ElMessage.success(approve ? "已通过" : "已退回");
        table.value.reload();
      } catch (e) { fail(e); }
    }
    return { f, form, table, query, submit, review, can, fmtTime, REPORT_STATUS };
  },
  template: `
  <section aria-labelledby="reports-title">
    <h2 id="reports-title">季度“五个一”报送</h2>
    <form class="toolbar" @submit.prevent>
      <label for="rep-year" class="field-label">年度</label><el-input-number id="rep-year" v-model="f.year" :min="2017" :max="2100" />
      <label for="rep-q" class="field-label">季度</label>
      <el-select id="rep-q" v-model="f.quarter" clearable style="width: 90px"><el-option v-for="q in 4" :key="q" :label="'第' + q + '季度'" :value="q" /></el-select>
      <label for="rep-status" class="field-label">状态</label>
      <el-select id="rep-status" v-model="f.status" clearable style="width: 100px"><el-option v-for="(t, k) in REPORT_STATUS" :key="k" :label="t" :value="k" /></el-select>
    </form>
    <ConnectionTable ref="table" :query="query" path="reports" :variables="f" label="报送列表">
      <el-table-column type="expand"><template #default="{ row }">
        <div v-for="v in row.versions.nodes" :key="v.version" class="version">
          <h4>第 {{ v.version }} 版 · {{ fmtTime(v.submittedAt) }}</h4>
          <p><b>做法：</b>{{ v.practices }}</p><p><b>经验：</b>{{ v.experience }}</p>
          <p><b>存在问题：</b>{{ v.problems }}</p><p><b>下步安排：</b>{{ v.nextSteps }}</p>
        </div></template></el-table-column>
      <el-table-column label="组织"><template #default="{ row }">{{ row.org?.name }}</template></el-table-column>
      <el-table-column label="季度" width="110"><template #default="{ row }">{{ row.year }} Q{{ row.quarter }}</template></el-table-column>
      <el-table-column label="状态" width="120"><template #default="{ row }">{{ REPORT_STATUS[row.status] }}<el-tag v-if="row.late" size="small" type="danger">逾期</el-tag></template></el-table-column>
      <el-table-column prop="version" label="版本" width="60" />
      <el-table-column prop="reviewComment" label="审阅意见" />
      <el-table-column v-if="can('report:approve')" label="审阅" width="150"><template #default="{ row }">
        <template v-if="row.status === 'SUBMITTED'"><el-button size="small" type="primary" @click="review(row, true)">通过</el-button>
        <el-button size="small" @click="review(row, false)">退回</el-button></template></template></el-table-column>
    </ConnectionTable>
    <el-card v-if="can('report:manage')" shadow="never" class="block"><template #header>报送本季度情况（退回后可再次报送，形成新版本）</template>
      <el-form label-width="90px" @submit.prevent="submit">
        <el-form-item label="组织" for="rep-org"><OrgPicker id="rep-org" v-model="form.orgId" /></el-form-item>
        <el-form-item label="报送年度" for="rep-fy"><el-input-number id="rep-fy" v-model="form.year" :min="2017" /></el-form-item>
        <el-form-item label="报送季度" for="rep-fq"><el-input-number id="rep-fq" v-model="form.quarter" :min="1" :max="4" /></el-form-item>
        <el-form-item label="做法" for="rep-a"><el-input id="rep-a" v-model="form.practices" type="textarea" /></el-form-item>
        <el-form-item label="经验" for="rep-b"><el-input id="rep-b" v-model="form.experience" type="textarea" /></el-form-item>
        <el-form-item label="存在问题" for="rep-c"><el-input id="rep-c" v-model="form.problems" type="textarea" /></el-form-item>
        <el-form-item label="下步安排" for="rep-d"><el-input id="rep-d" v-model="form.nextSteps" type="textarea" /></el-form-item>
        <el-button type="primary" native-type="submit">报送</el-button>
      </el-form>
    </el-card>
  </section>`,
};

export const Bulletins = {
  name: "BulletinsPage",
  components: { ConnectionTable, OrgPicker },
  setup() {
    const f = reactive({ under: "", year: now.getFullYear() });
    const gen = reactive({ orgId: "", year: now.getFullYear(), quarter: thisQuarter });
    const table = ref(null);
    const shown = ref(null);
    const query = `query($under: ID, $year: Int, $first: Int, $after: String) {
      bulletins(under: $under, year: $year, first: $first, after: $after) { ${PAGE}
        nodes { id year quarter published publishedAt rows { ${BULLETIN_ROW} } org { id name } } } }`;
    async function generate() {
      try {
        const b = (await gql(`mutation($o: ID!, $y: Int!, $q: Int!) { generateBulletin(orgId: $o, year: $y, quarter: $q) { id rows { ${BULLETIN_ROW} } org { name } year quarter published } }`,
          { o: gen.orgId, y: gen.year, q: gen.quarter })).generateBulletin;
        shown.value = b;
        ElMessage.success("已生成通报草稿");
        table.value.reload();
      } catch (e) { fail(e); }
    }
    async function publish(row) {
      try {
        await ElMessageBox.confirm("发布后不可更改，确认发布？", "发布通报");
        await gql(`mutation($id: ID!) { publishBulletin(id: $id) { id published } }`, { id: row.id });
        ElMessage.success("已发布");
        table.value.reload();
      } catch (e) { fail(e); }
    }
    async function exportAs(row, format) {
      try {
        const r = (await gql(`query($id: ID!, $f: BulletinFormat!) { exportBulletin(id: $id, format: $f) { filename downloadUrl } }`, { id: row.id, f: format })).exportBulletin;
        download(r.downloadUrl, r.filename);
      } catch (e) { fail(e); }
    }
    return { f, gen, table, query, shown, generate, publish, exportAs, can, fmtTime, BULLETIN_COLUMNS };
  },
  template: `
  <section aria-labelledby="bul-title">
    <h2 id="bul-title">季度通报</h2>
    <el-card v-if="can('work:approve')" shadow="never" class="block"><template #header>生成（或重新生成）通报草稿</template>
      <form class="toolbar" @submit.prevent="generate">
        <label for="bul-org" class="field-label">组织</label><OrgPicker id="bul-org" v-model="gen.orgId" />
        <label for="bul-year" class="field-label">年度</label><el-input-number id="bul-year" v-model="gen.year" :min="2017" />
        <label for="bul-q" class="field-label">季度</label><el-input-number id="bul-q" v-model="gen.quarter" :min="1" :max="4" />
        <el-button type="primary" native-type="submit" :disabled="!gen.orgId">生成</el-button>
      </form>
    </el-card>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="bul-under" class="field-label">按组织筛选</label><OrgPicker id="bul-under" v-model="f.under" />
      <label for="bul-fyear" class="field-label">年度</label><el-input-number id="bul-fyear" v-model="f.year" :min="2017" />
    </form>
    <ConnectionTable ref="table" :query="query" path="bulletins" :variables="f" label="通报列表">
      <el-table-column label="组织"><template #default="{ row }">{{ row.org?.name }}</template></el-table-column>
      <el-table-column label="季度" width="110"><template #default="{ row }">{{ row.year }} Q{{ row.quarter }}</template></el-table-column>
      <el-table-column label="状态" width="170"><template #default="{ row }">{{ row.published ? '已发布 ' + fmtTime(row.publishedAt) : '草稿' }}</template></el-table-column>
      <el-table-column label="操作" width="470"><template #default="{ row }">
        <el-button size="small" @click="shown = row">查看</el-button>
        <el-button size="small" @click="exportAs(row, 'XLSX')">下载 Excel</el-button>
        <el-button size="small" @click="exportAs(row, 'HTML')">下载 HTML</el-button>
        <el-button size="small" @click="exportAs(row, 'PDF')">下载 PDF</el-button>
        <el-button v-if="!row.published && can('work:approve')" size="small" type="primary" @click="publish(row)">发布</el-button>
      </template></el-table-column>
    </ConnectionTable>
    <el-card v-if="shown" shadow="never" class="block"><template #header>{{ shown.org?.name }} {{ shown.year }} 年第 {{ shown.quarter }} 季度通报</template>
      <el-table :data="shown.rows" size="small" aria-label="通报内容" empty-text="没有下级组织">
        <el-table-column v-for="(title, k) in BULLETIN_COLUMNS" :key="k" :prop="k" :label="title" :min-width="k === 'name' ? 180 : 90" />
      </el-table></el-card>
  </section>`,
};

const HALF = { MID_YEAR: "年中", YEAR_END: "年终" };
export const Assessments = {
  name: "AssessmentsPage",
  components: { ConnectionTable, OrgPicker, PageState },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const filter = reactive({ under: "", year: now.getFullYear(), closed: null });
    const rounds = `query($under: ID, $year: Int, $closed: Boolean, $first: Int, $after: String) {
      assessmentRounds(under: $under, year: $year, closed: $closed, first: $first, after: $after) { ${PAGE}
        nodes { id year half closed createdAt org { name } } } }`;
    const show = (row) => router.push({ path: "/assessments", query: { id: row.id } });
    const open = reactive({ orgId: "", year: now.getFullYear(), half: "MID_YEAR" });
    const score = reactive({ orgId: "", item: "", points: 0, evidence: "" });
    const rubric = useLoad(async () => (await gql(`{ rubric { code title maxPoints computed } }`)).rubric);
    const round = useLoad(async () => {
      if (!route.query.id) return null;
      return (await gql(`query($id: ID!) { assessmentRound(id: $id) { id year half closed org { name }
        results(first: 100) { nodes { total rank org { id name } items { item points evidence } } } } }`, { id: route.query.id })).assessmentRound;
    }, () => route.query.id);
    async function openRound() {
      try {
        const r = (await gql(`mutation($o: ID!, $y: Int!, $h: RoundHalf!) { openAssessment(orgId: $o, year: $y, half: $h) { id } }`, { o: open.orgId, y: open.year, h: open.half })).openAssessment;
        router.push({ path: "/assessments", query: { id: r.id } });
      } catch (e) { fail(e); }
    }
    async function act(mutation, message) {
      try {
        await gql(`mutation($id: ID!) { ${mutation}(id: $id) { id } }`, { id: route.query.id });
        ElMessage.success(message);
        round.reload();
      } catch (e) { fail(e); }
    }
    async function enter() {
      try {
        await gql(`mutation($id: ID!, $o: ID!, $i: String!, $p: Float!, $e: String!) { enterAssessmentScore(id: $id, orgId: $o, item: $i, points: $p, evidence: $e) { item points } }`,
          { id: route.query.id, o: score.orgId, i: score.item, p: score.points, e: score.evidence });
        ElMessage.success("已录入");
        round.reload();
      } catch (e) { fail(e); }
    }
    return { open, score, rubric, round, openRound, act, enter, route, filter, rounds, show, fmtTime, HALF, can };
  },
  template: `
  <section aria-labelledby="as-title">
    <h2 id="as-title">考核（附件1，100 分）</h2>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="as-under" class="field-label">按组织筛选</label><OrgPicker id="as-under" v-model="filter.under" />
      <label for="as-fyear" class="field-label">年度</label><el-input-number id="as-fyear" v-model="filter.year" :min="2017" />
      <label for="as-closed" class="field-label">状态</label>
      <el-select id="as-closed" v-model="filter.closed" clearable style="width: 110px"><el-option label="进行中" :value="false" /><el-option label="已结束" :value="true" /></el-select>
    </form>
    <ConnectionTable :query="rounds" path="assessmentRounds" :variables="filter" label="考核轮次" :page-size="10">
      <el-table-column label="开展考核的组织"><template #default="{ row }">{{ row.org?.name }}</template></el-table-column>
      <el-table-column label="轮次" width="140"><template #default="{ row }">{{ row.year }} 年{{ HALF[row.half] }}</template></el-table-column>
      <el-table-column label="状态" width="90"><template #default="{ row }">{{ row.closed ? '已结束' : '进行中' }}</template></el-table-column>
      <el-table-column label="开启时间" width="150"><template #default="{ row }">{{ fmtTime(row.createdAt) }}</template></el-table-column>
      <el-table-column label="操作" width="90"><template #default="{ row }">
        <el-button size="small" :type="route.query.id === row.id ? 'primary' : ''" :aria-label="'查看' + (row.org?.name || '') + row.year + '年' + HALF[row.half] + '考核'" @click="show(row)">查看</el-button></template></el-table-column>
    </ConnectionTable>
    <el-card v-if="can('work:approve')" shadow="never" class="block"><template #header>开启一轮考核（对下级组织）</template>
      <form class="toolbar" @submit.prevent="openRound">
        <label for="as-org" class="field-label">组织</label><OrgPicker id="as-org" v-model="open.orgId" />
        <label for="as-year" class="field-label">年度</label><el-input-number id="as-year" v-model="open.year" :min="2017" />
        <label for="as-half" class="field-label">轮次</label>
        <el-select id="as-half" v-model="open.half" style="width: 100px"><el-option label="年中" value="MID_YEAR" /><el-option label="年终" value="YEAR_END" /></el-select>
        <el-button type="primary" native-type="submit" :disabled="!open.orgId">开启</el-button>
      </form>
    </el-card>
    <PageState v-if="route.query.id" :state="round">
      <el-card v-if="round.data" shadow="never" class="block"><template #header>{{ round.data.org?.name }} {{ round.data.year }} 年{{ HALF[round.data.half] }}考核 <el-tag v-if="round.data.closed" size="small">已结束</el-tag></template>
        <div v-if="!round.data.closed && can('work:approve')" class="actions">
          <el-button @click="act('computeAssessment', '已按数据计算')">按数据计算系统考核项</el-button>
          <el-button type="danger" @click="act('closeAssessment', '本轮已结束')">结束本轮</el-button>
        </div>
        <el-table :data="round.data.results.nodes" size="small" aria-label="考核结果" empty-text="尚无结果">
          <el-table-column prop="rank" label="名次" width="70" />
          <el-table-column label="组织"><template #default="{ row }">{{ row.org?.name }}</template></el-table-column>
          <el-table-column prop="total" label="总分" width="80" />
          <el-table-column label="各项"><template #default="{ row }">{{ row.items.map(i => i.item + ' ' + i.points).join('；') }}</template></el-table-column>
        </el-table>
        <form v-if="!round.data.closed && can('work:approve')" class="toolbar block" @submit.prevent="enter">
          <label for="sc-org" class="field-label">被考核组织</label><OrgPicker id="sc-org" v-model="score.orgId" />
          <label for="sc-item" class="field-label">考核项</label>
          <el-select id="sc-item" v-model="score.item" style="width: 220px"><el-option v-for="i in (rubric.data || []).filter(i => !i.computed)" :key="i.code" :label="i.code + ' ' + i.title + '（' + i.maxPoints + '）'" :value="i.code" /></el-select>
          <label for="sc-points" class="field-label">得分</label><el-input-number id="sc-points" v-model="score.points" :min="0" :step="0.5" />
          <label for="sc-ev" class="field-label">依据</label><el-input id="sc-ev" v-model="score.evidence" style="width: 200px" />
          <el-button type="primary" native-type="submit">录入</el-button>
        </form>
      </el-card>
    </PageState>
    <el-card shadow="never" class="block"><template #header>考核细则</template>
      <el-table :data="rubric.data || []" size="small" aria-label="考核细则">
        <el-table-column prop="code" label="代码" width="120" /><el-table-column prop="title" label="考核项" />
        <el-table-column prop="maxPoints" label="分值" width="80" />
        <el-table-column label="来源" width="100"><template #default="{ row }">{{ row.computed ? '系统数据' : '人工录入' }}</template></el-table-column>
      </el-table></el-card>
  </section>`,
};

const METHOD = { PHONE: "电话", ON_SITE: "实地", COMMISSIONED: "委托调查" };
export const SpotChecks = {
  name: "SpotChecksPage",
  components: { ConnectionTable, OrgPicker, PageState },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const filter = reactive({ under: "", method: null });
    const checks = `query($under: ID, $method: SpotCheckMethod, $first: Int, $after: String) {
      spotChecks(under: $under, method: $method, first: $first, after: $after) { ${PAGE}
        nodes { id method sampleSize periodStart periodEnd passRate createdAt org { name } } } }`;
    const show = (row) => router.push({ path: "/spot-checks", query: { id: row.id } });
    const rate = (r) => (r == null ? "—" : (r * 100).toFixed(1) + "%");
    const draw = reactive({ orgId: "", method: "PHONE", sampleSize: 10, seed: Math.floor(Math.random() * 100000), range: null });
    const check = useLoad(async () => {
      if (!route.query.id) return null;
      const r = await gql(`query($id: ID!) { spotCheck(id: $id) { id method seed sampleSize periodStart periodEnd passRate endsAt closedAt amChecker }
        spotCheckItems(spotCheckId: $id, first: 100) { nodes { id reached confirmed satisfaction notes youthName youthMobile log { content occurredAt } } } }`, { id: route.query.id });
      return { ...r.spotCheck, items: r.spotCheckItems.nodes };
    }, () => route.query.id);
    async function drawSample() {
      try {
        const [from, to] = draw.range || [];
        const r = (await gql(`mutation($o: ID!, $m: SpotCheckMethod!, $n: Int!, $s: Int!, $f: Date!, $t: Date!) {
          drawSpotCheck(orgId: $o, method: $m, sampleSize: $n, seed: $s, dateFrom: $f, dateTo: $t) { id } }`,
          { o: draw.orgId, m: draw.method, n: draw.sampleSize, s: draw.seed, f: from, t: to })).drawSpotCheck;
        router.push({ path: "/spot-checks", query: { id: r.id } });
      } catch (e) { fail(e); }
    }
    async function record(item, reached, confirmed) {
      try {
        await gql(`mutation($id: ID!, $r: Boolean!, $c: Boolean, $s: Int, $n: String!) { recordSpotCheck(itemId: $id, reached: $r, confirmed: $c, satisfaction: $s, notes: $n) { id } }`,
          { id: item.id, r: reached, c: reached ? confirmed : null, s: item.satisfaction || null, n: item.notes || "" });
        ElMessage.success("已记录");
        check.reload();
      } catch (e) { fail(e); }
    }
    async function close() {
      try {
        await gql(`mutation($id: ID!) { closeSpotCheck(id: $id) { id } }`, { id: check.data.id });
        ElMessage.success("抽查已结束");
        check.reload();
      } catch (e) { fail(e); }
    }
    return { draw, check, drawSample, record, close, route, METHOD, filter, checks, show, rate, fmtTime, can };
  },
  template: `
  <section aria-labelledby="sc-title">
    <h2 id="sc-title">抽查</h2>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="sc-under" class="field-label">按组织筛选</label><OrgPicker id="sc-under" v-model="filter.under" />
      <label for="sc-fmethod" class="field-label">方式</label>
      <el-select id="sc-fmethod" v-model="filter.method" clearable style="width: 110px"><el-option v-for="(t, k) in METHOD" :key="k" :label="t" :value="k" /></el-select>
    </form>
    <ConnectionTable :query="checks" path="spotChecks" :variables="filter" label="抽查列表" :page-size="10">
      <el-table-column label="被抽查组织"><template #default="{ row }">{{ row.org?.name }}</template></el-table-column>
      <el-table-column label="方式" width="90"><template #default="{ row }">{{ METHOD[row.method] }}</template></el-table-column>
      <el-table-column label="日志区间" width="200"><template #default="{ row }">{{ row.periodStart }} 至 {{ row.periodEnd }}</template></el-table-column>
      <el-table-column prop="sampleSize" label="样本量" width="80" />
      <el-table-column label="核实率" width="90"><template #default="{ row }">{{ rate(row.passRate) }}</template></el-table-column>
      <el-table-column label="抽取时间" width="150"><template #default="{ row }">{{ fmtTime(row.createdAt) }}</template></el-table-column>
      <el-table-column label="操作" width="90"><template #default="{ row }">
        <el-button size="small" :type="route.query.id === row.id ? 'primary' : ''" :aria-label="'查看' + (row.org?.name || '') + '的抽查'" @click="show(row)">查看</el-button></template></el-table-column>
    </ConnectionTable>
    <el-card v-if="can('work:approve')" shadow="never" class="block"><template #header>抽取样本（按下级组织分层；同一种子与数据得到同一样本）</template>
      <form class="toolbar" @submit.prevent="drawSample">
        <label for="d-org" class="field-label">组织</label><OrgPicker id="d-org" v-model="draw.orgId" />
        <label for="d-method" class="field-label">方式</label>
        <el-select id="d-method" v-model="draw.method" style="width: 110px"><el-option v-for="(t, k) in METHOD" :key="k" :label="t" :value="k" /></el-select>
        <label for="d-size" class="field-label">样本量</label><el-input-number id="d-size" v-model="draw.sampleSize" :min="1" :max="500" />
        <label for="d-seed" class="field-label">种子</label><el-input-number id="d-seed" v-model="draw.seed" :min="0" />
        <label for="d-range" class="field-label">日志区间</label>
        <el-date-picker :id="['d-range', 'd-range-end']" v-model="draw.range" type="daterange" value-format="YYYY-MM-DD" start-placeholder="开始" end-placeholder="结束" />
        <el-button type="primary" native-type="submit" :disabled="!draw.orgId || !draw.range">抽取</el-button>
      </form>
    </el-card>
    <PageState v-if="route.query.id" :state="check">
      <el-card v-if="check.data" shadow="never"><template #header>{{ METHOD[check.data.method] }}抽查 · {{ check.data.periodStart }} 至 {{ check.data.periodEnd }} · 核实率 {{ check.data.passRate == null ? '—' : (check.data.passRate * 100).toFixed(1) + '%' }}
          · {{ check.data.closedAt ? '已结束' : '截止 ' + (check.data.endsAt || '').slice(0, 16).replace('T', ' ') }}
          <el-button v-if="!check.data.closedAt" size="small" @click="close">结束抽查</el-button></template>
        <el-table :data="check.data.items" size="small" aria-label="抽查样本" empty-text="区间内没有日志">
          <el-table-column prop="youthName" label="小伙伴" width="100" />
          <el-table-column prop="youthMobile" label="手机号" width="130" />
          <el-table-column label="日志" min-width="200"><template #default="{ row }">{{ row.log ? row.log.content : '—' }}</template></el-table-column>
          <el-table-column label="结果" width="120"><template #default="{ row }">{{ row.reached == null ? '未记录' : !row.reached ? '未联系上' : row.confirmed ? '已核实' : '未核实' }}</template></el-table-column>
          <el-table-column label="满意度" width="170"><template #default="{ row }"><el-rate v-model="row.satisfaction" :aria-label="'满意度'" /></template></el-table-column>
          <el-table-column label="备注"><template #default="{ row }"><el-input v-model="row.notes" size="small" aria-label="备注" /></template></el-table-column>
          <el-table-column v-if="check.data.amChecker" label="记录" width="250"><template #default="{ row }">
            <el-button size="small" type="primary" @click="record(row, true, true)">核实</el-button>
            <el-button size="small" @click="record(row, true, false)">不属实</el-button>
            <el-button size="small" @click="record(row, false, null)">未联系上</el-button></template></el-table-column>
        </el-table></el-card>
    </PageState>
  </section>`,
};
