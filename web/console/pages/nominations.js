// 最美青春故事 (§三.3): a county nominates one of its cadres with the story's form, title,
// text and materials; the city forwards (推荐到省级) or returns, the province picks finalists.
import { computed, reactive, ref, watch } from "vue";
import { ElMessage, ElMessageBox } from "element-plus";
import { gql } from "../api.js";
import { CadrePicker, ConnectionTable, OrgPicker, PageState, useLoad } from "../components.js";
import { can, download, fileToBase64, fmtTime } from "../util.js";
import { me } from "../store.js";

const PAGE = "pageInfo { hasNextPage endCursor } totalCount";
export const FORMS = { SPEECH: "演讲", ESSAY: "征文", MICRO_VIDEO: "微视频", H5: "H5" };
const LEVELS = { CITY: "市级遴选", PROVINCE: "省级遴选" };
const STATUS = { PENDING: "待遴选", RETURNED: "已退回", FINALIST: "省级入选" };
const ACCEPT = "image/jpeg,image/png,image/webp,application/pdf";
const fail = (e) => {
  if (e !== "cancel" && e !== "close") ElMessage.error(e.message || String(e));
};

async function attach(nominationId, file) {
  await gql(`mutation($n: ID!, $name: String!, $data: String!) {
    attachEvidence(input: {nominationId: $n, filename: $name, contentBase64: $data}) { id } }`,
  { n: nominationId, name: file.name, data: await fileToBase64(file) });
}

export default {
  name: "NominationsPage",
  components: { CadrePicker, ConnectionTable, OrgPicker, PageState },
  setup() {
    // The campaigns of the 最美青春故事 kind, newest first; the page shows one at a time.
    const campaigns = useLoad(async () => (await gql(`{ campaigns(first: 100) { nodes { id kind year title } } }`))
      .campaigns.nodes.filter((c) => c.kind === "YOUTH_STORY").reverse());
    const f = reactive({ campaignId: "", level: "", status: "" });
    watch(() => campaigns.data, (list) => {
      if (list?.length && !f.campaignId) f.campaignId = list[0].id;
    });
    const table = ref(null);
    const form = reactive({ orgId: "", cadreId: "", form: "ESSAY", title: "", story: "" });
    const files = ref(null);
    const accept = computed(() => (form.form === "MICRO_VIDEO" ? `${ACCEPT},video/mp4` : ACCEPT));
    const query = `query($campaignId: ID!, $level: NominationLevel, $status: NominationStatus, $first: Int, $after: String) {
      nominations(campaignId: $campaignId, level: $level, status: $status, first: $first, after: $after) { ${PAGE}
        nodes { id nomineeName form title story level status comment updatedAt
          nominee { id name position org { name } } org { name }
          evidence { id filename contentType size } } } }`;
    const reload = () => table.value?.reload();
    // Materials of a nominee's nomination: whoever sees the nomination downloads them, each
    // through a fresh single-use link.
    async function fetchFile(row, file) {
      try {
        const n = (await gql(`query($id: ID!) { node(id: $id) { ... on Nomination { evidence { id downloadUrl } } } }`, { id: row.id })).node;
        const found = n.evidence.find((e) => e.id === file.id);
        if (found) download(found.downloadUrl, file.filename);
      } catch (e) { fail(e); }
    }
    async function nominate() {
      try {
        const n = (await gql(`mutation($c: ID!, $o: ID!, $p: ID!, $f: StoryForm!, $t: String!, $s: String!) {
          nominateStory(campaignId: $c, orgId: $o, cadreId: $p, form: $f, title: $t, story: $s) { id } }`,
        { c: f.campaignId, o: form.orgId, p: form.cadreId, f: form.form, t: form.title, s: form.story })).nominateStory;
        for (const file of files.value?.files || []) await attach(n.id, file);
        ElMessage.success("已推荐");
        Object.assign(form, { cadreId: "", title: "", story: "" });
        if (files.value) files.value.value = "";
        reload();
      } catch (e) { fail(e); reload(); }
    }
    async function addFile(row, event) {
      try {
        for (const file of event.target.files) await attach(row.id, file);
        ElMessage.success("材料已上传");
      } catch (e) { fail(e); }
      event.target.value = "";
      reload();
    }
    async function removeFile(file) {
      try {
        await ElMessageBox.confirm(`删除材料“${file.filename}”？`, "删除材料");
        await gql(`mutation($id: ID!) { removeEvidence(id: $id) { id } }`, { id: file.id });
        reload();
      } catch (e) { fail(e); }
    }
    async function decide(row, select) {
      try {
        let comment = "";
        if (!select) comment = (await ElMessageBox.prompt("退回意见", "退回推荐", { inputValidator: (v) => Boolean(v?.trim()) || "请填写意见" })).value;
        await gql(`mutation($id: ID!, $s: Boolean!, $c: String!) { decideNomination(id: $id, select: $s, comment: $c) { id level status } }`,
          { id: row.id, s: select, c: comment });
        ElMessage.success(select ? (row.level === "CITY" ? "已推荐到省级" : "已入选") : "已退回");
        reload();
      } catch (e) { fail(e); }
    }
    async function retitle(row) {
      try {
        const title = (await ElMessageBox.prompt("新的标题", "修改推荐", { inputValue: row.title, inputValidator: (v) => Boolean(v?.trim()) || "请填写标题" })).value;
        await gql(`mutation($id: ID!, $t: String!) { updateNomination(id: $id, title: $t) { id } }`, { id: row.id, t: title });
        reload();
      } catch (e) { fail(e); }
    }
    // Materials change while the nomination waits for the city: the server decides; the
    // page offers the buttons then.
    const editable = (row) => can("campaign:manage") && row.status === "PENDING" && row.level === "CITY";
    // A nomination waiting at CITY is decided by its city, at PROVINCE by the province: the
    // buttons show for a grant of that level (a county's admin does not decide).
    const decides = (row) => row.status === "PENDING"
      && me.grants.some((g) => g.permissions?.includes("campaign:manage") && g.org?.level === row.level);
    const kb = (n) => (n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)} MB` : `${Math.ceil(n / 1000)} KB`);
    return {
      campaigns, f, table, form, files, accept, query, nominate, addFile, removeFile, decide, retitle,
      fetchFile, editable, decides, kb, can, fmtTime, FORMS, LEVELS, STATUS,
      ACCEPT_FILES: ACCEPT, ACCEPT_VIDEO: `${ACCEPT},video/mp4`,
    };
  },
  template: `
  <section aria-labelledby="nom-title">
    <h2 id="nom-title">最美青春故事推荐</h2>
    <PageState :state="campaigns">
      <el-empty v-if="!campaigns.data.length" description="还没有最美青春故事活动（由团省委创建）" />
      <template v-else>
        <form class="toolbar" @submit.prevent>
          <label for="nom-campaign" class="field-label">活动</label>
          <el-select id="nom-campaign" v-model="f.campaignId" style="width: 240px">
            <el-option v-for="c in campaigns.data" :key="c.id" :label="c.year + ' ' + c.title" :value="c.id" /></el-select>
          <label for="nom-level" class="field-label">遴选层级</label>
          <el-select id="nom-level" v-model="f.level" clearable style="width: 120px">
            <el-option v-for="(t, k) in LEVELS" :key="k" :label="t" :value="k" /></el-select>
          <label for="nom-status" class="field-label">状态</label>
          <el-select id="nom-status" v-model="f.status" clearable style="width: 120px">
            <el-option v-for="(t, k) in STATUS" :key="k" :label="t" :value="k" /></el-select>
        </form>
        <ConnectionTable v-if="f.campaignId" ref="table" :query="query" path="nominations" :variables="f" label="推荐列表">
          <el-table-column type="expand"><template #default="{ row }">
            <div class="story"><h4>{{ row.title || '（无标题）' }}</h4><p style="white-space: pre-line">{{ row.story }}</p>
              <p v-if="row.comment"><b>遴选意见：</b>{{ row.comment }}</p>
              <p class="muted">最近更新 {{ fmtTime(row.updatedAt) }}</p></div></template></el-table-column>
          <el-table-column label="被推荐人"><template #default="{ row }">
            {{ row.nominee ? row.nominee.name : row.nomineeName }}
            <span v-if="row.nominee?.org" class="muted">（{{ row.nominee.org.name }}{{ row.nominee.position ? ' · ' + row.nominee.position : '' }}）</span>
          </template></el-table-column>
          <el-table-column label="形式" width="80"><template #default="{ row }">{{ FORMS[row.form] || '—' }}</template></el-table-column>
          <el-table-column prop="title" label="标题" />
          <el-table-column label="推荐单位"><template #default="{ row }">{{ row.org?.name }}</template></el-table-column>
          <el-table-column label="状态" width="150"><template #default="{ row }">
            {{ STATUS[row.status] }}<span v-if="row.status === 'PENDING'" class="muted"> · {{ LEVELS[row.level] }}</span></template></el-table-column>
          <el-table-column label="材料" min-width="220"><template #default="{ row }">
            <ul class="files" :aria-label="'材料：' + (row.nominee ? row.nominee.name : row.nomineeName)">
              <li v-for="e in row.evidence" :key="e.id">
                <el-button link type="primary" @click="fetchFile(row, e)">{{ e.filename }}</el-button>
                <span class="muted">{{ kb(e.size) }}</span>
                <el-button v-if="editable(row)" link type="danger" :aria-label="'删除 ' + e.filename" @click="removeFile(e)">删除</el-button>
              </li>
            </ul>
            <label v-if="editable(row)" class="el-button el-button--small">添加材料
              <input type="file" :accept="row.form === 'MICRO_VIDEO' ? ACCEPT_VIDEO : ACCEPT_FILES" multiple hidden @change="addFile(row, $event)" /></label>
          </template></el-table-column>
          <el-table-column v-if="can('campaign:manage')" label="操作" width="200"><template #default="{ row }">
            <template v-if="decides(row)">
              <el-button size="small" type="primary" @click="decide(row, true)">{{ row.level === 'CITY' ? '推荐到省级' : '入选' }}</el-button>
              <el-button size="small" @click="decide(row, false)">退回</el-button></template>
            <el-button v-if="editable(row)" size="small" link @click="retitle(row)">改标题</el-button>
          </template></el-table-column>
        </ConnectionTable>
        <el-card v-if="can('campaign:manage')" shadow="never" class="block"><template #header>县级团委推荐本县团干部（送市级遴选）</template>
          <el-form label-width="90px" @submit.prevent="nominate">
            <el-form-item label="推荐单位" for="nom-org"><OrgPicker id="nom-org" v-model="form.orgId" placeholder="县级团委" /></el-form-item>
            <el-form-item label="被推荐人" for="nom-cadre"><CadrePicker id="nom-cadre" v-model="form.cadreId" /></el-form-item>
            <el-form-item label="分享形式" for="nom-form">
              <el-select id="nom-form" v-model="form.form" style="width: 160px">
                <el-option v-for="(t, k) in FORMS" :key="k" :label="t" :value="k" /></el-select></el-form-item>
            <el-form-item label="标题" for="nom-t"><el-input id="nom-t" v-model="form.title" maxlength="100" /></el-form-item>
            <el-form-item label="故事" for="nom-s"><el-input id="nom-s" v-model="form.story" type="textarea" :rows="5" /></el-form-item>
            <el-form-item label="材料" for="nom-files">
              <input id="nom-files" ref="files" type="file" multiple :accept="accept" />
              <span class="muted">照片、PDF 每个不超过 5 MB；微视频可传 MP4，不超过 50 MB</span></el-form-item>
            <el-button type="primary" native-type="submit" :disabled="!form.orgId || !form.cadreId">推荐</el-button>
          </el-form>
        </el-card>
      </template>
    </PageState>
  </section>`,
};
