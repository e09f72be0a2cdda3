// Policy (provincial committee): role × permission matrix, grants, who-can / what-can,
// preview then apply, delegations, field rules and exceptions, export/import, audit log.
// Every change to roles or grants is queued, previewed (who gains and loses what) and
// applied in one transaction.
import { computed, reactive, ref } from "vue";
import { useRouter } from "vue-router";
import { ElMessage, ElMessageBox } from "element-plus";
import { gql } from "../api.js";
import { ConnectionTable, OrgPicker, PageState, UserPicker, useLoad } from "../components.js";
import { asInput, clearPending, pending, queue } from "../pending.js";
import { loadMe, me } from "../store.js";
import { can, fileToBase64, fmtTime, label, LABELS, saveBlob } from "../util.js";

const PAGE = "pageInfo { hasNextPage endCursor } totalCount";
const OBJECTS = Object.keys(LABELS.object);
const ACTIONS = Object.keys(LABELS.action);
const fail = (e) => {
  if (e !== "cancel" && e !== "close") ElMessage.error(e.message || String(e));
};

function useRoles() {
  return useLoad(async () => {
    if (!can("policy:view")) return Object.entries(LABELS.role).map(([name, title]) => ({ name, title, permissions: [] }));
    return (await gql(`{ roles { name title description isBuiltin permissions { object action } } }`)).roles;
  });
}

export const Matrix = {
  name: "MatrixPage",
  components: { PageState },
  setup() {
    const router = useRouter();
    const roles = useRoles();
    const rows = computed(() => OBJECTS.flatMap((o) => ACTIONS.map((a) => ({ object: o, action: a }))));
    const has = (role, row) => role.permissions.some((p) => p.object === row.object && p.action === row.action);
    function toggle(role, row) {
      const kind = has(role, row) ? "REMOVE_PERMISSION" : "ADD_PERMISSION";
      queue({ kind, role: role.name, object: row.object, action: row.action,
        text: `${kind === "ADD_PERMISSION" ? "给" : "从"}角色「${role.title}」${kind === "ADD_PERMISSION" ? "加上" : "去掉"}「${label("object", row.object)} · ${label("action", row.action)}」` });
      ElMessage.info("已加入待应用变更");
    }
    return { roles, rows, has, toggle, label, pending, manage: can("policy:manage"), go: () => router.push("/policy/change") };
  },
  template: `
  <PageState :state="roles">
    <section aria-labelledby="matrix-title">
      <div class="page-head"><h2 id="matrix-title">角色 × 权限</h2>
        <el-button v-if="manage" :disabled="!pending.changes.length" type="primary" @click="go">预览待应用变更（{{ pending.changes.length }}）</el-button></div>
      <p class="muted">每一行是一项“对象 · 操作”；勾选表示该角色在被授予的组织子树内可做此事。<span v-if="manage">点击格子把增减加入待应用变更，预览后再应用。</span></p>
      <el-table :data="rows" size="small" border aria-label="角色与权限矩阵" max-height="640">
        <el-table-column label="对象 · 操作" width="170" fixed><template #default="{ row }">{{ label('object', row.object) }} · {{ label('action', row.action) }}</template></el-table-column>
        <el-table-column v-for="r in roles.data" :key="r.name" :label="r.title" min-width="92" align="center">
          <template #default="{ row }">
            <el-checkbox :model-value="has(r, row)" :disabled="!manage" :aria-label="r.title + ' ' + label('object', row.object) + label('action', row.action)" @change="toggle(r, row)" />
          </template></el-table-column>
      </el-table>
    </section>
  </PageState>`,
};

export const Grants = {
  name: "GrantsPage",
  components: { ConnectionTable, OrgPicker, UserPicker },
  setup() {
    const router = useRouter();
    const f = reactive({ under: "", role: "", includeRevoked: false });
    const form = reactive({ userId: "", role: "", orgId: "", userLabel: "", orgLabel: "" });
    const roles = useRoles();
    const query = `query($under: ID, $role: String, $includeRevoked: Boolean!, $first: Int, $after: String) {
      grants(under: $under, role: $role, includeRevoked: $includeRevoked, first: $first, after: $after) { ${PAGE}
        nodes { id role userId userName createdAt revokedAt endsAt delegatedBy org { id name } } } }`;
    async function add() {
      const names = await gql(`query($o: ID!) { org(id: $o) { name } }`, { o: form.orgId }).catch(() => null);
      queue({ kind: "ADD_GRANT", userId: form.userId, role: form.role, orgId: form.orgId,
        text: `授予「${form.userLabel || form.userId}」角色「${label("role", form.role)}」于「${names?.org.name || form.orgId}」` });
      router.push("/policy/change");
    }
    function revoke(row) {
      queue({ kind: "REVOKE_GRANT", grantId: row.id, text: `撤销 ${row.userName} 在「${row.org?.name}」的「${label("role", row.role)}」` });
      router.push("/policy/change");
    }
    return { f, form, roles, query, add, revoke, label, fmtTime, manage: can("grant:manage") };
  },
  template: `
  <section aria-labelledby="grants-title">
    <h2 id="grants-title">授权（角色 @ 组织，覆盖整个子树）</h2>
    <el-card v-if="manage" shadow="never" class="block"><template #header>新授权（先预览影响，再应用）</template>
      <form class="toolbar" @submit.prevent="add">
        <label for="g-user" class="field-label">账号</label><UserPicker id="g-user" v-model="form.userId" @named="form.userLabel = $event" />
        <label for="g-role" class="field-label">角色</label>
        <el-select id="g-role" v-model="form.role" style="width: 160px"><el-option v-for="r in roles.data || []" :key="r.name" :label="r.title" :value="r.name" /></el-select>
        <label for="g-org" class="field-label">组织</label><OrgPicker id="g-org" v-model="form.orgId" />
        <el-button type="primary" native-type="submit" :disabled="!form.userId || !form.role || !form.orgId">预览授权</el-button>
      </form>
    </el-card>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="gf-under" class="field-label">子树</label><OrgPicker id="gf-under" v-model="f.under" />
      <label for="gf-role" class="field-label">角色</label>
      <el-select id="gf-role" v-model="f.role" clearable style="width: 160px"><el-option v-for="r in roles.data || []" :key="r.name" :label="r.title" :value="r.name" /></el-select>
      <el-checkbox v-model="f.includeRevoked">含已撤销</el-checkbox>
    </form>
    <ConnectionTable :query="query" path="grants" :variables="f" label="授权列表">
      <el-table-column prop="userName" label="账号" />
      <el-table-column label="角色"><template #default="{ row }">{{ label('role', row.role) }} <el-tag v-if="row.delegatedBy" size="small" type="warning">代管</el-tag></template></el-table-column>
      <el-table-column label="组织"><template #default="{ row }">{{ row.org?.name }}</template></el-table-column>
      <el-table-column label="授予时间" width="150"><template #default="{ row }">{{ fmtTime(row.createdAt) }}</template></el-table-column>
      <el-table-column label="状态" width="150"><template #default="{ row }">{{ row.revokedAt ? '已撤销 ' + fmtTime(row.revokedAt) : row.endsAt ? '至 ' + fmtTime(row.endsAt) : '有效' }}</template></el-table-column>
      <el-table-column v-if="manage" label="操作" width="90"><template #default="{ row }">
        <el-button v-if="!row.revokedAt" size="small" type="danger" plain @click="revoke(row)">撤销</el-button></template></el-table-column>
    </ConnectionTable>
  </section>`,
};

export const Change = {
  name: "PolicyChangePage",
  setup() {
    const diff = ref(null);
    const busy = ref(false);
    const applied = ref(null);
    async function run(apply) {
      busy.value = true;
      try {
        const op = apply ? "mutation" : "query";
        const field = apply ? "applyPolicyChange" : "previewPolicyChange";
        const d = (await gql(`${op}($c: [PolicyChangeInput!]!) { ${field}(changes: $c) { gainedCount lostCount
          gained { userName action object subtree { name } } lost { userName action object subtree { name } } } }`,
          { c: pending.changes.map(asInput) }))[field];
        if (apply) {
          applied.value = d;
          diff.value = null;
          clearPending();
          await loadMe(); // the caller's own rights may have changed
          ElMessage.success("已应用");
        } else diff.value = d;
      } catch (e) { fail(e); } finally { busy.value = false; }
    }
    function drop(i) {
      pending.changes.splice(i, 1);
      diff.value = null;
    }
    return { pending, diff, busy, applied, run, drop, label, clearPending };
  },
  template: `
  <section aria-labelledby="change-title">
    <h2 id="change-title">预览并应用变更</h2>
    <el-empty v-if="!pending.changes.length && !applied" description="没有待应用的变更：在「授权」或「角色与权限」页面添加" />
    <template v-if="pending.changes.length">
      <h3>待应用的变更</h3>
      <ol class="pending" aria-label="待应用的变更">
        <li v-for="(c, i) in pending.changes" :key="i">{{ c.text }} <el-button text size="small" @click="drop(i)" :aria-label="'移除：' + c.text">移除</el-button></li>
      </ol>
      <div class="actions">
        <el-button type="primary" :loading="busy" @click="run(false)">预览影响</el-button>
        <el-button type="danger" :disabled="!diff" :loading="busy" @click="run(true)">应用（一个事务）</el-button>
        <el-button @click="clearPending(); diff = null">全部放弃</el-button>
      </div>
    </template>
    <div v-for="(d, title) in { '预览：': diff, '已应用：': applied }" :key="title">
      <template v-if="d">
        <el-alert :type="title === '预览：' ? 'info' : 'success'" :closable="false" show-icon data-testid="diff-summary"
          :title="title + '获得 ' + d.gainedCount + ' 项权利，失去 ' + d.lostCount + ' 项'" />
        <div class="grid2">
          <el-table :data="d.gained" size="small" aria-label="获得的权利" empty-text="无人获得权利">
            <el-table-column label="获得" prop="userName" /><el-table-column label="操作"><template #default="{ row }">{{ label('object', row.object) }} · {{ label('action', row.action) }}</template></el-table-column>
            <el-table-column label="子树"><template #default="{ row }">{{ row.subtree?.name }}</template></el-table-column></el-table>
          <el-table :data="d.lost" size="small" aria-label="失去的权利" empty-text="无人失去权利">
            <el-table-column label="失去" prop="userName" /><el-table-column label="操作"><template #default="{ row }">{{ label('object', row.object) }} · {{ label('action', row.action) }}</template></el-table-column>
            <el-table-column label="子树"><template #default="{ row }">{{ row.subtree?.name }}</template></el-table-column></el-table>
        </div>
      </template>
    </div>
  </section>`,
};

export const WhoCan = {
  name: "WhoCanPage",
  components: { OrgPicker, UserPicker },
  setup() {
    const who = reactive({ action: "VIEW", object: "YOUTH", orgId: "", result: null });
    const what = reactive({ userId: "", action: "VIEW", object: "YOUTH", result: null });
    async function askWho() {
      try {
        who.result = (await gql(`query($a: PolicyAction!, $o: PolicyObject!, $org: ID!) { whoCan(action: $a, object: $o, orgId: $org, first: 100) {
          totalCount nodes { name role grantOrgId delegatedBy } } }`, { a: who.action, o: who.object, org: who.orgId })).whoCan;
      } catch (e) { fail(e); }
    }
    async function askWhat() {
      try {
        what.result = (await gql(`query($u: ID!, $a: PolicyAction!, $o: PolicyObject!) { whatCan(userId: $u, action: $a, object: $o, first: 100) {
          totalCount nodes { org { id name } orgs objects } } }`, { u: what.userId, a: what.action, o: what.object })).whatCan;
      } catch (e) { fail(e); }
    }
    return { who, what, askWho, askWhat, LABELS, label };
  },
  template: `
  <section aria-labelledby="who-title">
    <h2 id="who-title">谁能 / 能做什么</h2>
    <el-card shadow="never" class="block"><template #header>谁能在某组织做某事</template>
      <form class="toolbar" @submit.prevent="askWho">
        <label for="w-act" class="field-label">操作</label><el-select id="w-act" v-model="who.action" style="width: 130px"><el-option v-for="(t, k) in LABELS.action" :key="k" :label="t" :value="k" /></el-select>
        <label for="w-obj" class="field-label">对象</label><el-select id="w-obj" v-model="who.object" style="width: 120px"><el-option v-for="(t, k) in LABELS.object" :key="k" :label="t" :value="k" /></el-select>
        <label for="w-org" class="field-label">组织</label><OrgPicker id="w-org" v-model="who.orgId" />
        <el-button type="primary" native-type="submit" :disabled="!who.orgId">查询</el-button>
      </form>
      <el-table v-if="who.result" :data="who.result.nodes" size="small" aria-label="有此权利的账号" empty-text="没有人">
        <el-table-column prop="name" label="账号" /><el-table-column label="依据角色"><template #default="{ row }">{{ label('role', row.role) }}<el-tag v-if="row.delegatedBy" size="small" type="warning">代管</el-tag></template></el-table-column>
      </el-table></el-card>
    <el-card shadow="never" class="block"><template #header>某账号能在哪些子树做某事</template>
      <form class="toolbar" @submit.prevent="askWhat">
        <label for="wt-user" class="field-label">账号</label><UserPicker id="wt-user" v-model="what.userId" />
        <label for="wt-act" class="field-label">操作</label><el-select id="wt-act" v-model="what.action" style="width: 130px"><el-option v-for="(t, k) in LABELS.action" :key="k" :label="t" :value="k" /></el-select>
        <label for="wt-obj" class="field-label">对象</label><el-select id="wt-obj" v-model="what.object" style="width: 120px"><el-option v-for="(t, k) in LABELS.object" :key="k" :label="t" :value="k" /></el-select>
        <el-button type="primary" native-type="submit" :disabled="!what.userId">查询</el-button>
      </form>
      <el-table v-if="what.result" :data="what.result.nodes" size="small" aria-label="可达的子树" empty-text="没有可达的子树">
        <el-table-column label="子树"><template #default="{ row }"><router-link :to="'/orgs/' + row.org.id">{{ row.org.name }}</router-link></template></el-table-column>
        <el-table-column prop="orgs" label="组织数" /><el-table-column prop="objects" label="记录数" />
      </el-table></el-card>
  </section>`,
};

export const Delegations = {
  name: "DelegationsPage",
  components: { ConnectionTable, OrgPicker, UserPicker },
  setup() {
    const table = ref(null);
    const form = reactive({ toUserId: "", role: "", orgId: "", window: null, note: "" });
    // One delegates a role one holds oneself (not one held by delegation), where one holds it.
    const own = me.grants.filter((g) => !g.delegated);
    const roles = { data: [...new Set(own.map((g) => g.role))].map((name) => ({ name, title: label("role", name) })) };
    const query = `query($first: Int, $after: String) { grants(delegated: true, first: $first, after: $after) { ${PAGE}
      nodes { id role userName startsAt endsAt org { name } } } }`;
    async function delegate() {
      try {
        const [s, e] = form.window;
        await gql(`mutation($u: ID!, $r: String!, $o: ID!, $s: DateTime!, $e: DateTime!, $n: String!) {
          delegateRole(toUserId: $u, role: $r, orgId: $o, startsAt: $s, endsAt: $e, note: $n) }`,
          { u: form.toUserId, r: form.role, o: form.orgId, s: new Date(s).toISOString(), e: new Date(e).toISOString(), n: form.note });
        ElMessage.success("已委托，到期自动失效");
        table.value.reload();
      } catch (e) { fail(e); }
    }
    return { table, form, roles, query, delegate, label, fmtTime, manage: own.length > 0 };
  },
  template: `
  <section aria-labelledby="del-title">
    <h2 id="del-title">代管（临时委托，到期自动失效）</h2>
    <el-card v-if="manage" shadow="never" class="block"><template #header>把我在某组织的角色临时委托给他人</template>
      <form class="toolbar" @submit.prevent="delegate">
        <label for="d-user" class="field-label">受托人</label><UserPicker id="d-user" v-model="form.toUserId" />
        <label for="d-role" class="field-label">角色</label><el-select id="d-role" v-model="form.role" style="width: 150px"><el-option v-for="r in roles.data || []" :key="r.name" :label="r.title" :value="r.name" /></el-select>
        <label for="d-org" class="field-label">组织</label><OrgPicker id="d-org" v-model="form.orgId" />
        <label for="d-window" class="field-label">期间</label><el-date-picker :id="['d-window', 'd-window-end']" v-model="form.window" type="datetimerange" start-placeholder="开始" end-placeholder="结束" />
        <label for="d-note" class="field-label">说明</label><el-input id="d-note" v-model="form.note" style="width: 160px" />
        <el-button type="primary" native-type="submit" :disabled="!form.toUserId || !form.role || !form.orgId || !form.window">委托</el-button>
      </form></el-card>
    <ConnectionTable ref="table" :query="query" path="grants" :variables="{}" label="代管列表">
      <el-table-column prop="userName" label="受托人" /><el-table-column label="角色"><template #default="{ row }">{{ label('role', row.role) }}</template></el-table-column>
      <el-table-column label="组织"><template #default="{ row }">{{ row.org?.name }}</template></el-table-column>
      <el-table-column label="开始"><template #default="{ row }">{{ fmtTime(row.startsAt) }}</template></el-table-column>
      <el-table-column label="结束"><template #default="{ row }">{{ fmtTime(row.endsAt) }}</template></el-table-column>
    </ConnectionTable>
  </section>`,
};

const FIELD = { mobile: "手机号", birth_date: "出生日期" };
export const Fields = {
  name: "FieldRulesPage",
  components: { ConnectionTable, OrgPicker, PageState, UserPicker },
  setup() {
    const exceptions = ref(null);
    const exFilter = reactive({ under: "", includeRevoked: false });
    const exQuery = `query($under: ID, $includeRevoked: Boolean!, $first: Int, $after: String) {
      fieldGrants(under: $under, includeRevoked: $includeRevoked, first: $first, after: $after) {
        pageInfo { hasNextPage endCursor } totalCount
        nodes { id userName object field minors reason createdAt endsAt revokedAt org { name } } } }`;
    async function revoke(row) {
      try {
        await ElMessageBox.confirm(`撤销 ${row.userName || "该账号"} 查看${row.org?.name || ""}${FIELD[row.field] || row.field}的例外？`, "撤销例外授权");
        await gql(`mutation($id: ID!) { revokeFieldAccess(id: $id) }`, { id: row.id });
        ElMessage.success("已撤销（留审计记录）");
        exceptions.value.reload();
      } catch (e) { fail(e); }
    }
    const doc = useLoad(async () => (await gql(`{ exportPolicy }`)).exportPolicy);
    const roles = useRoles();
    const rule = reactive({ role: "", object: "YOUTH", field: "mobile", maxDistance: 1, minors: false });
    const ex = reactive({ userId: "", object: "YOUTH", field: "mobile", orgId: "", reason: "", minors: false, endsAt: null });
    async function setRule(remove) {
      try {
        await gql(`mutation($r: String!, $o: PolicyObject!, $f: String!, $d: Int, $m: Boolean!) { setFieldRule(role: $r, object: $o, field: $f, maxDistance: $d, minors: $m) }`,
          { r: rule.role, o: rule.object, f: rule.field, d: remove ? null : rule.maxDistance, m: rule.minors });
        ElMessage.success(remove ? "已删除规则" : "已保存规则");
        doc.reload();
      } catch (e) { fail(e); }
    }
    async function grantException() {
      try {
        await gql(`mutation($u: ID!, $o: PolicyObject!, $f: String!, $org: ID!, $r: String!, $m: Boolean!, $e: DateTime) {
          grantFieldAccess(userId: $u, object: $o, field: $f, orgId: $org, reason: $r, minors: $m, endsAt: $e) }`,
          { u: ex.userId, o: ex.object, f: ex.field, org: ex.orgId, r: ex.reason, m: ex.minors, e: ex.endsAt ? new Date(ex.endsAt).toISOString() : null });
        ElMessage.success("已授予例外（留审计记录）");
        exceptions.value.reset();
      } catch (e) { fail(e); }
    }
    return { doc, roles, rule, ex, setRule, grantException, label, manage: can("policy:manage"),
      exceptions, exFilter, exQuery, revoke, fmtTime, FIELD };
  },
  template: `
  <section aria-labelledby="fields-title">
    <h2 id="fields-title">受保护字段：规则与例外</h2>
    <PageState :state="doc">
      <el-table v-if="doc.data" :data="doc.data.field_rules" size="small" aria-label="字段规则" empty-text="没有字段规则">
        <el-table-column label="角色"><template #default="{ row }">{{ label('role', row.role) }}</template></el-table-column>
        <el-table-column prop="object" label="对象" /><el-table-column prop="field" label="字段" />
        <el-table-column prop="max_distance" label="最多向下层级" />
        <el-table-column label="含未成年人"><template #default="{ row }">{{ row.minors ? '是' : '否' }}</template></el-table-column>
      </el-table>
    </PageState>
    <el-card v-if="manage" shadow="never" class="block"><template #header>设置规则</template>
      <form class="toolbar" @submit.prevent="setRule(false)">
        <label for="fr-role" class="field-label">角色</label><el-select id="fr-role" v-model="rule.role" style="width: 150px"><el-option v-for="r in roles.data || []" :key="r.name" :label="r.title" :value="r.name" /></el-select>
        <label for="fr-field" class="field-label">字段</label><el-select id="fr-field" v-model="rule.field" style="width: 120px"><el-option label="手机号" value="mobile" /><el-option label="出生日期" value="birth_date" /></el-select>
        <label for="fr-dist" class="field-label">最多向下层级</label><el-input-number id="fr-dist" v-model="rule.maxDistance" :min="0" :max="99" />
        <el-checkbox v-model="rule.minors">含未成年人</el-checkbox>
        <el-button type="primary" native-type="submit" :disabled="!rule.role">保存</el-button>
        <el-button :disabled="!rule.role" @click="setRule(true)">删除该规则</el-button>
      </form></el-card>
    <el-card v-if="manage" shadow="never" class="block"><template #header>例外授权（某人在某子树查看某字段，须说明理由）</template>
      <form class="toolbar" @submit.prevent="grantException">
        <label for="fe-user" class="field-label">账号</label><UserPicker id="fe-user" v-model="ex.userId" />
        <label for="fe-field" class="field-label">字段</label><el-select id="fe-field" v-model="ex.field" style="width: 110px"><el-option label="手机号" value="mobile" /><el-option label="出生日期" value="birth_date" /></el-select>
        <label for="fe-org" class="field-label">子树</label><OrgPicker id="fe-org" v-model="ex.orgId" />
        <label for="fe-reason" class="field-label">理由</label><el-input id="fe-reason" v-model="ex.reason" style="width: 160px" />
        <label for="fe-end" class="field-label">截止</label><el-date-picker id="fe-end" v-model="ex.endsAt" type="datetime" />
        <el-checkbox v-model="ex.minors">含未成年人</el-checkbox>
        <el-button type="primary" native-type="submit" :disabled="!ex.userId || !ex.orgId || !ex.reason">授予</el-button>
      </form></el-card>
    <h3 id="fe-list-title">例外授权</h3>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="fe-under" class="field-label">按组织筛选</label><OrgPicker id="fe-under" v-model="exFilter.under" />
      <el-checkbox v-model="exFilter.includeRevoked">含已撤销的</el-checkbox>
    </form>
    <ConnectionTable ref="exceptions" :query="exQuery" path="fieldGrants" :variables="exFilter" label="例外授权列表">
      <el-table-column label="账号" width="120"><template #default="{ row }">{{ row.userName || '—' }}</template></el-table-column>
      <el-table-column label="字段" width="90"><template #default="{ row }">{{ FIELD[row.field] || row.field }}</template></el-table-column>
      <el-table-column label="子树"><template #default="{ row }">{{ row.org?.name }}</template></el-table-column>
      <el-table-column prop="reason" label="理由" />
      <el-table-column label="含未成年人" width="90"><template #default="{ row }">{{ row.minors ? '是' : '否' }}</template></el-table-column>
      <el-table-column label="有效期" width="170"><template #default="{ row }">{{ row.revokedAt ? '已撤销 ' + fmtTime(row.revokedAt) : row.endsAt ? '至 ' + fmtTime(row.endsAt) : '长期' }}</template></el-table-column>
      <el-table-column v-if="manage" label="操作" width="80"><template #default="{ row }">
        <el-button v-if="!row.revokedAt" size="small" type="danger" :aria-label="'撤销' + (row.userName || '') + '的例外'" @click="revoke(row)">撤销</el-button></template></el-table-column>
    </ConnectionTable>
  </section>`,
};

export const PolicyIo = {
  name: "PolicyIoPage",
  setup() {
    const result = ref(null);
    async function exportIt() {
      try {
        const doc = (await gql(`{ exportPolicy }`)).exportPolicy;
        const text = JSON.stringify(doc, null, 2);
        saveBlob(`policy-${new Date().toISOString().slice(0, 10)}.json`, new Blob([text], { type: "application/json" }));
      } catch (e) { fail(e); }
    }
    async function importIt(event) {
      const file = event.target.files[0];
      if (!file) return;
      try {
        const doc = JSON.parse(await file.text());
        await ElMessageBox.confirm("导入会替换全部权限与字段规则（留审计记录，立即对所有实例生效）。继续？", "导入策略");
        result.value = (await gql(`mutation($d: JSON!) { importPolicy(document: $d) { roles permissions fieldRules } }`, { d: doc })).importPolicy;
        await loadMe();
        ElMessage.success("已导入");
      } catch (e) { fail(e instanceof SyntaxError ? new Error("文件不是有效的 JSON") : e); }
      event.target.value = "";
    }
    return { result, exportIt, importIt, manage: can("policy:manage") };
  },
  template: `
  <section aria-labelledby="io-title">
    <h2 id="io-title">策略导出导入</h2>
    <el-card shadow="never" class="block"><template #header>导出当前策略（角色、权限、字段规则）为 JSON</template>
      <el-button type="primary" @click="exportIt">下载策略文件</el-button></el-card>
    <el-card v-if="manage" shadow="never" class="block"><template #header>导入策略文件</template>
      <label for="policy-file" class="field-label">选择文件</label><input id="policy-file" type="file" accept=".json,application/json" @change="importIt" />
      <p v-if="result" class="result">已导入：角色 {{ result.roles }} 个，权限 {{ result.permissions }} 条，字段规则 {{ result.fieldRules }} 条</p></el-card>
  </section>`,
};

export const Audit = {
  name: "AuditPage",
  components: { ConnectionTable, OrgPicker },
  setup() {
    const f = reactive({ under: "", entityType: "", action: "" });
    const check = ref(null);
    const busy = ref(false);
    const query = `query($under: ID, $entityType: String, $action: String, $first: Int, $after: String) {
      auditLog(under: $under, entityType: $entityType, action: $action, first: $first, after: $after) { ${PAGE}
        nodes { id at actorUserId action entityType entityId before after } } }`;
    async function verify() {
      busy.value = true;
      try {
        check.value = (await gql(`{ verifyAuditChain { ok checked firstBadId } }`)).verifyAuditChain;
      } catch (e) { fail(e); } finally { busy.value = false; }
    }
    return { f, query, check, busy, verify, fmtTime, json: (v) => (v == null ? "" : JSON.stringify(v)) };
  },
  template: `
  <section aria-labelledby="audit-title">
    <div class="page-head"><h2 id="audit-title">审计日志</h2>
      <el-button type="primary" :loading="busy" @click="verify">校验哈希链</el-button></div>
    <el-alert v-if="check" :type="check.ok ? 'success' : 'error'" :closable="false" show-icon role="status" data-testid="chain-check"
      :title="check.ok ? '哈希链完整：已校验 ' + check.checked + ' 条' : '哈希链断裂：第一条异常记录 ' + check.firstBadId" />
    <form class="toolbar" role="search" @submit.prevent>
      <label for="a-under" class="field-label">子树</label><OrgPicker id="a-under" v-model="f.under" />
      <label for="a-type" class="field-label">对象类型</label><el-input id="a-type" v-model="f.entityType" clearable style="width: 130px" placeholder="如 grant" />
      <label for="a-action" class="field-label">动作</label><el-input id="a-action" v-model="f.action" clearable style="width: 150px" placeholder="如 grant.create" />
    </form>
    <ConnectionTable :query="query" path="auditLog" :variables="f" label="审计日志">
      <el-table-column label="时间" width="150"><template #default="{ row }">{{ fmtTime(row.at) }}</template></el-table-column>
      <el-table-column prop="action" label="动作" width="170" /><el-table-column prop="entityType" label="对象" width="100" />
      <el-table-column prop="entityId" label="编号" width="90" /><el-table-column prop="actorUserId" label="操作人" width="120" />
      <el-table-column label="变更后"><template #default="{ row }"><code class="json">{{ json(row.after) }}</code></template></el-table-column>
    </ConnectionTable>
  </section>`,
};
