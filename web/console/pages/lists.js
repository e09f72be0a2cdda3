// Lists with filters, search and cursor paging. Youth mobiles come masked by the server's
// field rules; the console shows what it gets.
import { reactive, ref } from "vue";
import { useRoute } from "vue-router";
import { ElMessage, ElMessageBox } from "element-plus";
import { gql } from "../api.js";
import { ConnectionTable, OrgPicker } from "../components.js";
import { can, fmtTime, label } from "../util.js";

const PAGE = "pageInfo { hasNextPage endCursor } totalCount";

function filters(initial) {
  const route = useRoute();
  return reactive({ under: typeof route.query.under === "string" ? route.query.under : "", ...initial });
}

export const Cadres = {
  name: "CadresPage",
  components: { ConnectionTable, OrgPicker },
  setup() {
    const f = filters({ search: "", kind: "" });
    const query = `query($under: ID, $search: String, $kind: CadreKind, $first: Int, $after: String) {
      cadres(under: $under, search: $search, kind: $kind, first: $first, after: $after) { ${PAGE}
        nodes { id name kind position isActive org { id name } } } }`;
    return { f, query, label };
  },
  template: `
  <section aria-labelledby="cadres-title">
    <h2 id="cadres-title">团干部</h2>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="cadre-under" class="field-label">组织</label><OrgPicker id="cadre-under" v-model="f.under" />
      <label for="cadre-search" class="field-label">姓名</label><el-input id="cadre-search" v-model.lazy="f.search" clearable style="width: 180px" />
      <label for="cadre-kind" class="field-label">类别</label>
      <el-select id="cadre-kind" v-model="f.kind" clearable style="width: 120px"><el-option v-for="(t, k) in { FULL_TIME: '专职', SECONDED: '挂职', PART_TIME: '兼职' }" :key="k" :label="t" :value="k" /></el-select>
    </form>
    <ConnectionTable :query="query" path="cadres" :variables="f" label="团干部列表">
      <el-table-column prop="name" label="姓名" />
      <el-table-column label="类别"><template #default="{ row }">{{ label('cadreKind', row.kind) }}</template></el-table-column>
      <el-table-column prop="position" label="职务" />
      <el-table-column label="组织"><template #default="{ row }"><router-link v-if="row.org" :to="'/orgs/' + row.org.id">{{ row.org.name }}</router-link></template></el-table-column>
      <el-table-column label="状态"><template #default="{ row }">{{ row.isActive ? '在职' : '已停用' }}</template></el-table-column>
    </ConnectionTable>
  </section>`,
};

export const Youths = {
  name: "YouthsPage",
  components: { ConnectionTable, OrgPicker },
  setup() {
    const f = filters({ search: "", industry: "" });
    const query = `query($under: ID, $search: String, $industry: String, $first: Int, $after: String) {
      youths(under: $under, search: $search, industry: $industry, first: $first, after: $after) { ${PAGE}
        nodes { id name mobile industry org { id name } } } }`;
    return { f, query };
  },
  template: `
  <section aria-labelledby="youth-title">
    <div class="page-head"><h2 id="youth-title">小伙伴</h2><router-link to="/youth/import">导入 / 导出名单</router-link></div>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="youth-under" class="field-label">组织</label><OrgPicker id="youth-under" v-model="f.under" />
      <label for="youth-search" class="field-label">姓名</label><el-input id="youth-search" v-model.lazy="f.search" clearable style="width: 160px" />
      <label for="youth-industry" class="field-label">行业</label><el-input id="youth-industry" v-model.lazy="f.industry" clearable style="width: 140px" />
    </form>
    <ConnectionTable :query="query" path="youths" :variables="f" label="小伙伴列表">
      <el-table-column prop="name" label="姓名" />
      <el-table-column prop="mobile" label="手机号（按规则遮挡）" />
      <el-table-column prop="industry" label="行业" />
      <el-table-column label="组织"><template #default="{ row }">{{ row.org?.name || '' }}</template></el-table-column>
    </ConnectionTable>
  </section>`,
};

export const WorkLogs = {
  name: "WorkLogsPage",
  components: { ConnectionTable, OrgPicker },
  setup() {
    const f = filters({ search: "", kind: "", channel: "", from: "", to: "" });
    const query = `query($under: ID, $search: String, $kind: LogKind, $channel: Channel, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
      workLogs(under: $under, search: $search, kind: $kind, channel: $channel, occurredFrom: $from, occurredTo: $to, newestFirst: true, first: $first, after: $after) { ${PAGE}
        nodes { id kind channel activityKind place content occurredAt participantCount client cadre { name } youth { name } } } }`;
    const range = ref(null);
    function setRange(v) {
      f.from = v ? new Date(v[0] + "T00:00:00").toISOString() : "";
      f.to = v ? new Date(v[1] + "T23:59:59").toISOString() : "";
    }
    return { f, query, range, setRange, fmtTime, label };
  },
  template: `
  <section aria-labelledby="logs-title">
    <h2 id="logs-title">工作日志</h2>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="log-under" class="field-label">组织</label><OrgPicker id="log-under" v-model="f.under" />
      <label for="log-search" class="field-label">内容</label><el-input id="log-search" v-model.lazy="f.search" clearable style="width: 160px" />
      <label for="log-kind" class="field-label">类别</label>
      <el-select id="log-kind" v-model="f.kind" clearable style="width: 100px"><el-option label="联系" value="CONTACT" /><el-option label="活动" value="ACTIVITY" /></el-select>
      <label for="log-channel" class="field-label">方式</label>
      <el-select id="log-channel" v-model="f.channel" clearable style="width: 100px"><el-option v-for="(t, k) in { FACE_TO_FACE: '面对面', PHONE: '电话', WECHAT: '微信', QQ: 'QQ', WEIBO: '微博', OTHER: '其他' }" :key="k" :label="t" :value="k" /></el-select>
      <label for="log-range" class="field-label">日期</label>
      <el-date-picker :id="['log-range', 'log-range-end']" v-model="range" type="daterange" value-format="YYYY-MM-DD" start-placeholder="开始" end-placeholder="结束" @change="setRange" />
    </form>
    <ConnectionTable :query="query" path="workLogs" :variables="f" label="工作日志列表">
      <el-table-column label="时间" width="150"><template #default="{ row }">{{ fmtTime(row.occurredAt) }}</template></el-table-column>
      <el-table-column label="团干部" width="100"><template #default="{ row }">{{ row.cadre?.name || '' }}</template></el-table-column>
      <el-table-column label="类别" width="120"><template #default="{ row }">{{ row.kind === 'CONTACT' ? '联系 · ' + label('channel', row.channel) : label('logKind', row.activityKind) }}</template></el-table-column>
      <el-table-column label="对象" width="120"><template #default="{ row }">{{ row.youth?.name || (row.participantCount ? row.participantCount + ' 人' : '') }}</template></el-table-column>
      <el-table-column prop="content" label="内容" />
      <el-table-column label="来源" width="80"><template #default="{ row }">{{ row.client === 'MOBILE' ? '手机' : '网页' }}</template></el-table-column>
    </ConnectionTable>
  </section>`,
};

const VOICE_STATUS = { OPEN: "待回复", ANSWERED: "已回复", CLOSED: "已关闭" };
export const Voices = {
  name: "VoicesPage",
  components: { ConnectionTable, OrgPicker },
  setup() {
    const f = filters({ status: "", topic: "" });
    const query = `query($under: ID, $status: VoiceStatus, $topic: String, $first: Int, $after: String) {
      voices(under: $under, status: $status, topic: $topic, newestFirst: true, first: $first, after: $after) { ${PAGE}
        nodes { id title body topic status createdAt firstReplyAt org { name } cadre { name } } } }`;
    return { f, query, fmtTime, VOICE_STATUS };
  },
  template: `
  <section aria-labelledby="voices-title">
    <h2 id="voices-title">青年之声</h2>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="voice-under" class="field-label">组织</label><OrgPicker id="voice-under" v-model="f.under" />
      <label for="voice-status" class="field-label">状态</label>
      <el-select id="voice-status" v-model="f.status" clearable style="width: 110px"><el-option v-for="(t, k) in VOICE_STATUS" :key="k" :label="t" :value="k" /></el-select>
      <label for="voice-topic" class="field-label">话题</label><el-input id="voice-topic" v-model.lazy="f.topic" clearable style="width: 140px" />
    </form>
    <ConnectionTable :query="query" path="voices" :variables="f" label="青年之声列表">
      <el-table-column label="时间" width="150"><template #default="{ row }">{{ fmtTime(row.createdAt) }}</template></el-table-column>
      <el-table-column prop="title" label="标题" /><el-table-column prop="topic" label="话题" width="100" />
      <el-table-column label="状态" width="90"><template #default="{ row }">{{ VOICE_STATUS[row.status] }}</template></el-table-column>
      <el-table-column label="接收" width="140"><template #default="{ row }">{{ row.cadre?.name || row.org?.name || '' }}</template></el-table-column>
      <el-table-column label="首次回复" width="150"><template #default="{ row }">{{ fmtTime(row.firstReplyAt) }}</template></el-table-column>
    </ConnectionTable>
  </section>`,
};

const WISH_STATUS = { SUBMITTED: "已提交", ACCEPTED: "已接受", ESCALATED: "在心愿池", CLAIMED: "已认领", FULFILLED: "已实现", CONFIRMED: "已确认", WITHDRAWN: "已撤回", REJECTED: "已拒绝" };
const WISH_CATEGORY = { STUDY: "学习", EMPLOYMENT: "就业", LIFE: "生活", HEALTH: "健康", CULTURE: "文化", OTHER: "其他" };
const WISH_ACTION = { ACCEPT: "接受", REJECT: "拒绝", ESCALATE: "转入心愿池", CLAIM: "认领", FULFIL: "已实现", CONFIRM: "确认", WITHDRAW: "撤回" };
// One transition the server lists as allowed for the caller (Wish.allowedActions); a
// rejection asks for the reason, a fulfilment for its evidence, a claim names the pool
// organ's resource (chosen in the pool page's dialog).
async function actOnWish(row, action, done, resourceId = null) {
  try {
    let note = "";
    let evidence = null;
    if (action === "REJECT") note = (await ElMessageBox.prompt("拒绝的理由", "拒绝心愿", { inputValidator: (v) => Boolean(v?.trim()) || "请填写理由" })).value;
    if (action === "FULFIL") evidence = (await ElMessageBox.prompt("实现的依据（照片链接、说明等）", "心愿已实现", { inputValidator: (v) => Boolean(v?.trim()) || "请填写依据" })).value;
    await gql(`mutation($id: ID!, $a: WishAction!, $n: String!, $e: String, $r: ID) { actOnWish(id: $id, action: $a, note: $n, evidence: $e, resourceId: $r) { id status } }`,
      { id: row.id, a: action, n: note, e: evidence, r: resourceId });
    ElMessage.success(`已${WISH_ACTION[action]}`);
    done();
  } catch (e) {
    if (e !== "cancel" && e !== "close") ElMessage.error(e.message || String(e));
  }
}
const WISH_BUTTONS = `<el-table-column label="操作" width="200"><template #default="{ row }">
  <el-button v-for="t in shown(row)" :key="t.action" size="small"
    @click="act(row, t.action)">{{ WISH_ACTION[t.action] }}</el-button></template></el-table-column>`;

export const Wishes = {
  name: "WishesPage",
  components: { ConnectionTable, OrgPicker },
  setup() {
    const f = filters({ status: "" });
    const query = `query($under: ID, $status: WishStatus, $first: Int, $after: String) {
      wishes(under: $under, status: $status, newestFirst: true, first: $first, after: $after) { ${PAGE}
        nodes { id title category status submittedAt cadre { name } youth { name } allowedActions { action } } } }`;
    const table = ref(null);
    const act = (row, action) => actOnWish(row, action, () => table.value.reload());
    // A youth's own moves are not a manager's; claiming names a resource, in the pool page.
    const shown = (row) => row.allowedActions.filter((t) => !["WITHDRAW", "CONFIRM", "CLAIM"].includes(t.action));
    return { f, query, table, act, shown, fmtTime, WISH_STATUS, WISH_CATEGORY, WISH_ACTION };
  },
  template: `
  <section aria-labelledby="wishes-title">
    <h2 id="wishes-title">微心愿</h2>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="wish-under" class="field-label">组织</label><OrgPicker id="wish-under" v-model="f.under" />
      <label for="wish-status" class="field-label">状态</label>
      <el-select id="wish-status" v-model="f.status" clearable style="width: 120px"><el-option v-for="(t, k) in WISH_STATUS" :key="k" :label="t" :value="k" /></el-select>
    </form>
    <ConnectionTable ref="table" :query="query" path="wishes" :variables="f" label="微心愿列表">
      <el-table-column label="提交时间" width="150"><template #default="{ row }">{{ fmtTime(row.submittedAt) }}</template></el-table-column>
      <el-table-column prop="title" label="心愿" />
      <el-table-column label="类别" width="80"><template #default="{ row }">{{ WISH_CATEGORY[row.category] }}</template></el-table-column>
      <el-table-column label="状态" width="90"><template #default="{ row }">{{ WISH_STATUS[row.status] }}</template></el-table-column>
      <el-table-column label="团干部" width="100"><template #default="{ row }">{{ row.cadre?.name || '' }}</template></el-table-column>
      ${WISH_BUTTONS}
    </ConnectionTable>
  </section>`,
};

export const WishPool = {
  name: "WishPoolPage",
  components: { ConnectionTable, OrgPicker },
  setup() {
    const f = reactive({ orgId: "", category: "", olderThanDays: null });
    const table = ref(null);
    const query = `query($orgId: ID, $category: WishCategory, $olderThanDays: Int, $first: Int, $after: String) {
      wishPool(orgId: $orgId, category: $category, olderThanDays: $olderThanDays, first: $first, after: $after) { ${PAGE}
        nodes { id title description category status submittedAt poolOrg { id name } allowedActions { action } } } }`;
    const claiming = reactive({ row: null, options: [], resourceId: "" });
    async function act(row, action) {
      if (action !== "CLAIM") return actOnWish(row, action, () => table.value.reload());
      try {
        // What a claim accepts: the resources of every leading organ at or above the wish.
        const d = await gql(`query($w: ID) { resources(forWish: $w, first: 100) { nodes { id donor kind capacity used validUntil org { name } } } }`, { w: row.id });
        Object.assign(claiming, { row, options: d.resources.nodes.filter((r) => r.used < r.capacity), resourceId: "" });
      } catch (e) {
        ElMessage.error(e.message);
      }
    }
    function confirmClaim() {
      const row = claiming.row;
      claiming.row = null;
      actOnWish(row, "CLAIM", () => table.value.reload(), claiming.resourceId);
    }
    const shown = (row) => row.allowedActions.filter((t) => !["WITHDRAW", "CONFIRM"].includes(t.action));
    return { f, query, table, act, shown, claiming, confirmClaim, fmtTime, WISH_CATEGORY, WISH_ACTION };
  },
  template: `
  <section aria-labelledby="pool-title">
    <h2 id="pool-title">心愿池</h2>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="pool-org" class="field-label">组织</label><OrgPicker id="pool-org" v-model="f.orgId" />
      <label for="pool-cat" class="field-label">类别</label>
      <el-select id="pool-cat" v-model="f.category" clearable style="width: 100px"><el-option v-for="(t, k) in WISH_CATEGORY" :key="k" :label="t" :value="k" /></el-select>
      <label for="pool-days" class="field-label">等待超过（天）</label><el-input-number id="pool-days" v-model="f.olderThanDays" :min="0" />
    </form>
    <ConnectionTable ref="table" :query="query" path="wishPool" :variables="f" label="心愿池">
      <el-table-column label="提交时间" width="150"><template #default="{ row }">{{ fmtTime(row.submittedAt) }}</template></el-table-column>
      <el-table-column prop="title" label="心愿" /><el-table-column prop="description" label="说明" />
      <el-table-column label="类别" width="80"><template #default="{ row }">{{ WISH_CATEGORY[row.category] }}</template></el-table-column>
      <el-table-column label="所在池" width="140"><template #default="{ row }">{{ row.poolOrg?.name || '' }}</template></el-table-column>
      ${WISH_BUTTONS}
    </ConnectionTable>
    <el-dialog :model-value="Boolean(claiming.row)" title="认领心愿：选择资源" width="520px" @close="claiming.row = null">
      <p v-if="claiming.row">{{ claiming.row.title }}（{{ claiming.row.poolOrg?.name }}的心愿池）</p>
      <el-alert v-if="!claiming.options.length" type="warning" :closable="false" title="心愿所在组织及其上级领导机关都没有可用的资源，请先登记资源" />
      <label v-else for="claim-resource" class="field-label">资源</label>
      <el-select v-if="claiming.options.length" id="claim-resource" v-model="claiming.resourceId" style="width: 100%">
        <el-option v-for="r in claiming.options" :key="r.id" :value="r.id" :label="r.donor + '（' + (r.org?.name || '') + '，剩余 ' + (r.capacity - r.used) + '，至 ' + r.validUntil + '）'" />
      </el-select>
      <template #footer><el-button @click="claiming.row = null">取消</el-button>
        <el-button type="primary" :disabled="!claiming.resourceId" @click="confirmClaim">认领</el-button></template>
    </el-dialog>
  </section>`,
};

const FLAG_KIND = { NEAR_DUPLICATE: "疑似重复", BURST: "集中补录", UNCONFIRMED: "未确认", DENIED: "小伙伴否认", SPOT_CHECK_FAILED: "抽查未核实" };
const FLAG_STATUS = { OPEN: "待复核", CLEARED: "已排除", UPHELD: "维持" };
export const Flags = {
  name: "FlagsPage",
  components: { ConnectionTable, OrgPicker },
  setup() {
    const f = filters({ status: "OPEN", kind: "" });
    const table = ref(null);
    const detect = reactive({ orgId: "", range: null, report: null });
    async function runDetection() {
      try {
        const [from, to] = detect.range;
        detect.report = (await gql(`mutation($o: ID!, $f: Date!, $t: Date!) { detectFlags(orgId: $o, dateFrom: $f, dateTo: $t) {
          nearDuplicate burst unconfirmed spotCheckFailed } }`, { o: detect.orgId, f: from, t: to })).detectFlags;
        table.value.reload();
      } catch (e) {
        ElMessage.error(e.message);
      }
    }
    const query = `query($under: ID, $status: FlagStatus, $kind: FlagKind, $first: Int, $after: String) {
      flags(under: $under, status: $status, kind: $kind, newestFirst: true, first: $first, after: $after) { ${PAGE}
        nodes { id kind detail status createdAt reviewNote log { id content occurredAt cadre { name } } } } }`;
    async function review(row, decision) {
      try {
        const { value } = await ElMessageBox.prompt("复核意见", decision === "CLEARED" ? "排除标记（恢复积分）" : "维持标记（不计积分）", { inputValidator: (v) => Boolean(v?.trim()) || "请填写复核意见" });
        await gql(`mutation($id: ID!, $d: FlagStatus!, $n: String!) { reviewFlag(id: $id, decision: $d, note: $n) { id status } }`, { id: row.id, d: decision, n: value });
        ElMessage.success("已复核");
        table.value.reload();
      } catch (e) {
        if (e !== "cancel" && e !== "close") ElMessage.error(e.message || String(e));
      }
    }
    return { f, query, table, review, detect, runDetection, can, fmtTime, FLAG_KIND, FLAG_STATUS };
  },
  template: `
  <section aria-labelledby="flags-title">
    <h2 id="flags-title">可疑标记</h2>
    <el-card v-if="can('work:approve')" shadow="never" class="block"><template #header>对子树在某时段的日志运行检测</template>
      <form class="toolbar" @submit.prevent="runDetection">
        <label for="det-org" class="field-label">检测范围</label><OrgPicker id="det-org" v-model="detect.orgId" />
        <label for="det-range" class="field-label">时段</label>
        <el-date-picker :id="['det-range', 'det-range-end']" v-model="detect.range" type="daterange" value-format="YYYY-MM-DD" start-placeholder="开始" end-placeholder="结束" />
        <el-button type="primary" native-type="submit" :disabled="!detect.orgId || !detect.range">运行检测</el-button>
      </form>
      <el-alert v-if="detect.report" type="info" :closable="false" role="status" data-testid="detection"
        :title="'新标记：疑似重复 ' + detect.report.nearDuplicate + '，集中补录 ' + detect.report.burst + '，未确认 ' + detect.report.unconfirmed + '，抽查未核实 ' + detect.report.spotCheckFailed" />
    </el-card>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="flag-under" class="field-label">组织</label><OrgPicker id="flag-under" v-model="f.under" />
      <label for="flag-status" class="field-label">状态</label>
      <el-select id="flag-status" v-model="f.status" clearable style="width: 110px"><el-option v-for="(t, k) in FLAG_STATUS" :key="k" :label="t" :value="k" /></el-select>
      <label for="flag-kind" class="field-label">类别</label>
      <el-select id="flag-kind" v-model="f.kind" clearable style="width: 130px"><el-option v-for="(t, k) in FLAG_KIND" :key="k" :label="t" :value="k" /></el-select>
    </form>
    <ConnectionTable ref="table" :query="query" path="flags" :variables="f" label="可疑标记列表">
      <el-table-column label="时间" width="150"><template #default="{ row }">{{ fmtTime(row.createdAt) }}</template></el-table-column>
      <el-table-column label="类别" width="110"><template #default="{ row }">{{ FLAG_KIND[row.kind] }}</template></el-table-column>
      <el-table-column prop="detail" label="说明" />
      <el-table-column label="日志"><template #default="{ row }">{{ row.log.cadre?.name }}：{{ row.log.content }}</template></el-table-column>
      <el-table-column label="状态" width="90"><template #default="{ row }">{{ FLAG_STATUS[row.status] }}</template></el-table-column>
      <el-table-column label="复核" width="160"><template #default="{ row }">
        <template v-if="row.status === 'OPEN' && can('work:approve')"><el-button size="small" @click="review(row, 'CLEARED')">排除</el-button>
        <el-button size="small" type="warning" @click="review(row, 'UPHELD')">维持</el-button></template>
        <span v-else>{{ row.reviewNote }}</span></template></el-table-column>
    </ConnectionTable>
  </section>`,
};
