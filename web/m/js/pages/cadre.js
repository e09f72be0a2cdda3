// 团干部: home (五个一, points, rank), the youth list, the inbox, 一学一做, posts, 我的.
import { CACHE, auth, gql, signOut } from "../api.js";
import { subscribe } from "../live.js";
import {
  ACTIVITY,
  CONTACT_STATUS,
  LEARN_KIND,
  VOICE_STATUS,
  WISH_CATEGORY,
  WISH_STATUS,
  attempt,
  day,
  options,
  today,
  when,
} from "../util.js";
import { OutboxBar } from "./work.js";
import { Page, PickerField, Stale, useLoad } from "./shared.js";

const { ref, reactive, computed, onMounted, onUnmounted } = Vue;
const { showSuccessToast, showConfirmDialog } = vant;

const HOME = `{
  me { cadre { id name position org { name } contactTarget } }
  myQuotaProgress { periodStart periodEnd done required kindsDone kindsMissing complete }
  active: myContacts(status: ACTIVE) { totalCount }
  invited: myContacts(status: INVITED) { totalCount }
  openVoices: myVoices(status: OPEN) { totalCount }
  newWishes: myWishes(status: SUBMITTED) { totalCount }
}`;
const RANK = `{ myRank { rank of points } }`;

export const Home = {
  components: { Page, OutboxBar, Stale },
  setup() {
    const { state, reload } = useLoad(async () => {
      const data = await gql(HOME);
      // Rank is read apart: a cadre outside any city (none to rank among) still gets a home.
      data.rank = await gql(RANK).then((r) => r.myRank, () => null);
      return data;
    }, "home");
    const progress = computed(() => {
      const p = state.data && state.data.myQuotaProgress;
      return p ? Math.min(100, Math.round((100 * p.done) / Math.max(1, p.required))) : 0;
    });
    const refresh = async () => {
      await reload();
      pulling.value = false;
    };
    const pulling = ref(false);
    return { state, progress, refresh, pulling, ACTIVITY, day, auth };
  },
  template: `
    <Page title="1+100 工作台" :back="false">
      <van-pull-refresh v-model="pulling" @refresh="refresh">
        <Stale :show="state.stale" />
        <div class="hello" v-if="state.data && state.data.me.cadre">
          <div class="hello-name">{{ state.data.me.cadre.name }}</div>
          <div class="muted">{{ state.data.me.cadre.org && state.data.me.cadre.org.name }} {{ state.data.me.cadre.position }}</div>
        </div>
        <OutboxBar />
        <div class="quick">
          <van-button class="quick-btn" type="primary" icon="chat-o" to="/c/log/contact">记联系</van-button>
          <van-button class="quick-btn" type="success" icon="flag-o" to="/c/log/activity">记活动</van-button>
        </div>
        <van-skeleton v-if="state.loading && !state.data" title :row="6" />
        <template v-if="state.data">
          <div class="card five" v-if="state.data.myQuotaProgress" aria-label="五个一进度">
            <div class="card-head">
              <span class="card-title">本期“五个一”</span>
              <span class="muted">{{ day(state.data.myQuotaProgress.periodStart) }} 起</span>
            </div>
            <div class="five-figure"><b class="five-done">{{ state.data.myQuotaProgress.done }}</b> / {{ state.data.myQuotaProgress.required }} 次
              <van-tag v-if="state.data.myQuotaProgress.complete" type="success" class="ml">已完成</van-tag></div>
            <van-progress :percentage="progress" stroke-width="8" :show-pivot="false" />
            <div class="kinds">
              <van-tag v-for="k in state.data.myQuotaProgress.kindsDone" :key="k" type="success" class="kind done">✓ {{ ACTIVITY[k] }}</van-tag>
              <van-tag v-for="k in state.data.myQuotaProgress.kindsMissing" :key="k" plain class="kind">{{ ACTIVITY[k] }}</van-tag>
            </div>
          </div>
          <van-grid :column-num="3" class="figures" :border="false">
            <van-grid-item><div class="figure points-figure">{{ state.data.rank ? state.data.rank.points : '—' }}</div><div class="muted">本月积分</div></van-grid-item>
            <van-grid-item><div class="figure rank-figure">{{ state.data.rank && state.data.rank.rank ? state.data.rank.rank : '—' }}</div>
              <div class="muted">排名{{ state.data.rank ? ' / ' + state.data.rank.of : '' }}</div></van-grid-item>
            <van-grid-item to="/c/youth"><div class="figure">{{ state.data.active.totalCount }}</div>
              <div class="muted">已联系 / {{ state.data.me.cadre.contactTarget }}</div></van-grid-item>
          </van-grid>
          <van-cell-group inset>
            <van-cell title="待确认的邀请" is-link to="/c/youth" :value="state.data.invited.totalCount" />
            <van-cell title="青年之声待回复" is-link to="/c/inbox" :value="state.data.openVoices.totalCount" />
            <van-cell title="新的微心愿" is-link to="/c/inbox?tab=wishes" :value="state.data.newWishes.totalCount" />
          </van-cell-group>
          <van-grid :column-num="4" class="mt" clickable>
            <van-grid-item icon="notes-o" text="我的日志" to="/c/logs" />
            <van-grid-item icon="medal-o" text="一学一做" to="/c/learn" />
            <van-grid-item icon="newspaper-o" text="文化产品" to="/c/posts" />
            <van-grid-item icon="comment-circle-o" text="活动讨论" to="/c/discussions" />
          </van-grid>
        </template>
      </van-pull-refresh>
    </Page>`,
};

// The API does not name a youth to the inviter before they accept; the phone remembers whom
// this cadre invited from it (their own input), under the cached data cleared at logout.
function invitesKey() {
  return `${CACHE}${auth.session && auth.session.userId}.invites`;
}

function rememberedInvites() {
  try {
    return JSON.parse(localStorage.getItem(invitesKey())) || {};
  } catch {
    return {};
  }
}

function remember(contactId, name, mobile) {
  const all = rememberedInvites();
  all[contactId] = { name, mobile: mobile.slice(0, 3) + "****" + mobile.slice(-4) };
  localStorage.setItem(invitesKey(), JSON.stringify(all));
}

const LIST = `query($s: ContactStatus) { myContacts(status: $s, first: 100) { totalCount nodes { id status invitedAt acceptedAt
  youth { id name mobile industry } } } }`;

export const YouthList = {
  components: { Page },
  setup() {
    const router = VueRouter.useRouter();
    const tab = ref("ALL");
    const { state, reload } = useLoad(async () => (await gql(LIST, { s: null })).myContacts, "youth");
    const shown = computed(() =>
      ((state.data && state.data.nodes) || []).filter((c) => tab.value === "ALL" || c.status === tab.value),
    );
    const form = reactive({ show: false, name: "", mobile: "", industry: "" });
    const invite = () =>
      attempt(async () => {
        const { addYouthToMyList } = await gql(
          `mutation($n: String!, $m: String!, $i: String!) { addYouthToMyList(name: $n, mobile: $m, industry: $i) { id status } }`,
          { n: form.name.trim(), m: form.mobile.trim(), i: form.industry.trim() },
        );
        remember(addYouthToMyList.id, form.name.trim(), form.mobile.replace(/\D/g, ""));
        Object.assign(form, { show: false, name: "", mobile: "", industry: "" });
        showSuccessToast("已邀请，等待对方确认");
        await reload();
      });
    const sheet = reactive({ show: false, contact: null });
    const choose = (action) => {
      const c = sheet.contact;
      sheet.show = false;
      if (action.name === "记一次联系") router.push({ path: "/c/log/contact", query: { youth: c.youth.id } });
      else
        showConfirmDialog({ title: action.name, message: `确定${action.name}（${title(c)}）？` })
          .then(() =>
            attempt(async () => {
              await gql(`mutation($id: ID!) { removeContact(id: $id) { id } }`, { id: c.id });
              await reload();
            }),
          )
          .catch(() => {});
    };
    const open = (c) => Object.assign(sheet, { show: true, contact: c });
    const invites = rememberedInvites();
    const title = (c) => (c.youth ? c.youth.name : invites[c.id] ? invites[c.id].name : "待对方确认");
    const label = (c) =>
      c.youth
        ? c.youth.mobile + (c.youth.industry ? " · " + c.youth.industry : "")
        : invites[c.id]
          ? invites[c.id].mobile + "（本机记录，对方接受后显示）"
          : "对方接受后显示姓名和手机号";
    const actions = computed(() =>
      sheet.contact && sheet.contact.status === "ACTIVE"
        ? [{ name: "记一次联系" }, { name: "结束联系", color: "#ee0a24" }]
        : [{ name: "撤回邀请", color: "#ee0a24" }],
    );
    return { tab, state, shown, form, invite, sheet, open, choose, title, label, actions, when, CONTACT_STATUS };
  },
  template: `
    <Page title="我的小伙伴" :back="false">
      <template #right><span class="link" @click="form.show = true">邀请</span></template>
      <van-tabs v-model:active="tab" shrink>
        <van-tab title="全部" name="ALL" />
        <van-tab title="已联系" name="ACTIVE" />
        <van-tab title="待确认" name="INVITED" />
      </van-tabs>
      <div class="muted pad" v-if="state.data">共 {{ state.data.totalCount }} 位（目标约 100 位）</div>
      <van-cell-group inset>
        <van-cell v-for="c in shown" :key="c.id" :title="title(c)" :label="label(c)" is-link @click="open(c)" class="youth-row">
          <template #value>
            <van-tag :type="c.status === 'ACTIVE' ? 'success' : 'warning'">{{ CONTACT_STATUS[c.status] }}</van-tag>
            <div class="muted small">{{ c.status === 'ACTIVE' ? when(c.acceptedAt) + ' 确认' : when(c.invitedAt) + ' 邀请' }}</div>
          </template>
        </van-cell>
      </van-cell-group>
      <van-empty v-if="state.data && !shown.length" description="这里还没有人">
        <van-button round type="primary" @click="form.show = true">邀请小伙伴</van-button>
      </van-empty>
      <van-action-sheet v-model:show="sheet.show" :title="sheet.contact ? title(sheet.contact) : ''" cancel-text="取消" teleport="body"
        :actions="actions" @select="choose" />
      <van-popup v-model:show="form.show" position="bottom" round teleport="body">
        <van-form @submit="invite" class="sheet">
          <div class="sheet-title">邀请小伙伴</div>
          <van-field v-model="form.name" label="姓名" placeholder="真实姓名" :rules="[{ required: true, message: '请填写姓名' }]" />
          <van-field v-model="form.mobile" label="手机号" type="tel" placeholder="11 位手机号" :rules="[{ required: true, message: '请填写手机号' }]" />
          <van-field v-model="form.industry" label="行业" placeholder="例如：教育（可不填）" />
          <p class="hint">对方用这个手机号登录手机端后，确认即建立联系。</p>
          <van-button block round type="primary" native-type="submit">发送邀请</van-button>
        </van-form>
      </van-popup>
    </Page>`,
};

const INBOX = `{ myVoices(first: 50) { nodes { id kind title status createdAt youth { name } } }
  myWishes(first: 50) { nodes { id category title status submittedAt youth { name } } } }`;

// Voices and wishes addressed to me; the list follows the live inbox.
export const Inbox = {
  components: { Page },
  setup() {
    const route = VueRouter.useRoute();
    const tab = ref(route.query.tab === "wishes" ? "wishes" : "voices");
    const { state, reload } = useLoad(async () => {
      const d = await gql(INBOX);
      return { voices: d.myVoices.nodes.slice().reverse(), wishes: d.myWishes.nodes.slice().reverse() };
    });
    let stop = null;
    onMounted(() => {
      stop = subscribe(`subscription { myInbox { kind } }`, {}, () => reload());
    });
    onUnmounted(() => stop && stop());
    return { tab, state, when, VOICE_STATUS, WISH_STATUS, WISH_CATEGORY };
  },
  template: `
    <Page title="消息" :back="false">
      <van-tabs v-model:active="tab">
        <van-tab title="青年之声" name="voices">
          <van-cell-group inset class="mt">
            <van-cell v-for="v in (state.data ? state.data.voices : [])" :key="v.id" :title="v.title"
              :label="(v.youth ? v.youth.name + ' · ' : '') + when(v.createdAt)" is-link :to="'/c/voices/' + encodeURIComponent(v.id)">
              <template #value><van-tag :type="v.status === 'OPEN' ? 'warning' : 'success'">{{ VOICE_STATUS[v.status] }}</van-tag></template>
            </van-cell>
          </van-cell-group>
          <van-empty v-if="state.data && !state.data.voices.length" description="还没有青年之声" />
        </van-tab>
        <van-tab title="微心愿" name="wishes">
          <van-cell-group inset class="mt">
            <van-cell v-for="w in (state.data ? state.data.wishes : [])" :key="w.id" :title="w.title"
              :label="(w.youth ? w.youth.name + ' · ' : '') + WISH_CATEGORY[w.category] + ' · ' + when(w.submittedAt)" is-link
              :to="'/c/wishes/' + encodeURIComponent(w.id)">
              <template #value><van-tag :type="w.status === 'SUBMITTED' ? 'warning' : 'primary'">{{ WISH_STATUS[w.status] }}</van-tag></template>
            </van-cell>
          </van-cell-group>
          <van-empty v-if="state.data && !state.data.wishes.length" description="还没有心愿" />
        </van-tab>
      </van-tabs>
    </Page>`,
};

export const Me = {
  components: { Page },
  setup() {
    const router = VueRouter.useRouter();
    const { state } = useLoad(async () => (await gql(`{ myRatings { count average } }`)).myRatings);
    const leave = () =>
      showConfirmDialog({ title: "退出登录", message: "退出后需要重新输入账号和密码。" })
        .then(async () => {
          await signOut();
          router.replace("/login");
        })
        .catch(() => {});
    return { state, leave, auth };
  },
  template: `
    <Page title="我的" :back="false">
      <div class="hello"><div class="hello-name">{{ auth.session && auth.session.name }}</div><div class="muted">团干部</div></div>
      <van-cell-group inset>
        <van-cell title="我的日志" icon="notes-o" is-link to="/c/logs" />
        <van-cell title="一学一做" icon="medal-o" is-link to="/c/learn" />
        <van-cell title="文化产品" icon="newspaper-o" is-link to="/c/posts" />
        <van-cell title="活动讨论" icon="comment-circle-o" is-link to="/c/discussions" />
        <van-cell title="小伙伴的评价" icon="star-o"
          :value="state.data ? (state.data.count ? state.data.average.toFixed(1) + ' 分 · ' + state.data.count + ' 人' : '本季度暂无') : ''" />
      </van-cell-group>
      <div class="pad"><van-button block round @click="leave">退出登录</van-button></div>
    </Page>`,
};

const LEARN = `query($y: Int) { myLearnAndDo(year: $y) { year choice { guidedOrg { id name } joinedBranch { id name } }
  records(first: 100) { nodes { id kind occurredOn note } } } }`;
const ORGS = `query($l: OrgLevel!) { orgs(level: $l, first: 100) { nodes { id name } } }`;

export const LearnAndDo = {
  components: { Page, PickerField },
  setup() {
    const { state, reload } = useLoad(async () => (await gql(LEARN, { y: null })).myLearnAndDo);
    const choosing = reactive({ show: false, guided: null, branch: null, guidedOptions: [], branchOptions: [] });
    // 一学一做 runs from March to September: after September the form starts at its last day.
    const lastDay = () => (today().slice(5, 7) > "09" ? `${today().slice(0, 4)}-09-30` : today());
    const record = reactive({ show: false, kind: "STUDY", on: lastDay(), note: "" });
    const openChoice = () =>
      attempt(async () => {
        const [g, gb, b] = await Promise.all([gql(ORGS, { l: "GRASSROOTS" }), gql(ORGS, { l: "GENERAL_BRANCH" }), gql(ORGS, { l: "BRANCH" })]);
        const opts = (...rs) => rs.flatMap((r) => r.orgs.nodes.map((o) => ({ text: o.name, value: o.id })));
        const c = state.data.choice;
        Object.assign(choosing, {
          show: true,
          guidedOptions: opts(g, gb),
          branchOptions: opts(b),
          guided: c && c.guidedOrg ? c.guidedOrg.id : null,
          branch: c && c.joinedBranch ? c.joinedBranch.id : null,
        });
      });
    const choose = () =>
      attempt(async () => {
        if (!choosing.guided || !choosing.branch) throw new Error("请选择基层团委（团总支）和其中的团支部");
        await gql(`mutation($y: Int!, $g: ID!, $b: ID!) { chooseLearnAndDo(year: $y, guidedOrgId: $g, joinedBranchId: $b) { year } }`, {
          y: state.data.year,
          g: choosing.guided,
          b: choosing.branch,
        });
        choosing.show = false;
        showSuccessToast("已保存");
        await reload();
      });
    const add = () =>
      attempt(async () => {
        await gql(`mutation($k: LearnAndDoKind!, $d: Date!, $n: String!) { recordLearnAndDo(kind: $k, occurredOn: $d, note: $n) { id } }`, {
          k: record.kind,
          d: record.on,
          n: record.note,
        });
        Object.assign(record, { show: false, note: "" });
        showSuccessToast("已记录");
        await reload();
      });
    return { state, choosing, record, openChoice, choose, add, kinds: options(LEARN_KIND), LEARN_KIND, day };
  },
  template: `
    <Page title="一学一做">
      <template v-if="state.data">
        <van-cell-group inset :title="state.data.year + ' 年度的选择'" class="mt">
          <van-cell title="联系指导的基层团委" :value="state.data.choice && state.data.choice.guidedOrg ? state.data.choice.guidedOrg.name : '未选择'" />
          <van-cell title="参加实践的团支部" :value="state.data.choice && state.data.choice.joinedBranch ? state.data.choice.joinedBranch.name : '未选择'" />
          <van-cell :title="state.data.choice ? '更改选择' : '去选择'" is-link @click="openChoice" />
        </van-cell-group>
        <van-cell-group inset title="参与记录">
          <van-cell v-for="r in state.data.records.nodes" :key="r.id" :title="LEARN_KIND[r.kind]" :label="r.note" :value="day(r.occurredOn)" />
          <van-empty v-if="!state.data.records.nodes.length" image-size="60" description="还没有记录" />
        </van-cell-group>
        <div class="pad"><van-button block round type="primary" :disabled="!state.data.choice" @click="record.show = true">记录一次参与</van-button>
          <p class="hint" v-if="!state.data.choice">先选择联系指导的基层团委和参加的团支部。</p></div>
      </template>
      <van-popup v-model:show="choosing.show" position="bottom" round teleport="body">
        <div class="sheet">
          <div class="sheet-title">一学一做：本年度的选择</div>
          <PickerField label="基层团委" v-model="choosing.guided" :options="choosing.guidedOptions" />
          <PickerField label="团支部" v-model="choosing.branch" :options="choosing.branchOptions" />
          <van-button block round type="primary" class="mt" @click="choose">保存</van-button>
        </div>
      </van-popup>
      <van-popup v-model:show="record.show" position="bottom" round teleport="body">
        <div class="sheet">
          <div class="sheet-title">记录一次参与</div>
          <PickerField label="类型" v-model="record.kind" :options="kinds" />
          <van-field label="日期"><template #input><input type="date" v-model="record.on" class="native-input" aria-label="日期" /></template></van-field>
          <van-field v-model="record.note" label="说明" type="textarea" rows="2" autosize placeholder="可不填" />
          <van-button block round type="primary" class="mt" @click="add">保存</van-button>
        </div>
      </van-popup>
    </Page>`,
};

const POSTS = `{ myPosts(first: 50) { nodes { id title body link createdAt readCount } } }`;

export const Posts = {
  components: { Page },
  setup() {
    const { state, reload } = useLoad(async () => (await gql(POSTS)).myPosts.nodes.slice().reverse());
    const form = reactive({ show: false, title: "", body: "", link: "" });
    const publish = () =>
      attempt(async () => {
        await gql(
          `mutation($t: String!, $b: String!, $l: String) { publishPost(audience: MY_YOUTH, title: $t, body: $b, link: $l) { id } }`,
          { t: form.title, b: form.body, l: form.link.trim() || null },
        );
        Object.assign(form, { show: false, title: "", body: "", link: "" });
        showSuccessToast("已推送给我的小伙伴");
        await reload();
      });
    return { state, form, publish, when };
  },
  template: `
    <Page title="文化产品">
      <template #right><span class="link" @click="form.show = true">推送</span></template>
      <van-cell-group inset class="mt">
        <van-cell v-for="p in state.data || []" :key="p.id" :title="p.title" :label="when(p.createdAt) + (p.body ? ' · ' + p.body : '')"
          :value="(p.readCount || 0) + ' 人已读'" />
      </van-cell-group>
      <van-empty v-if="state.data && !state.data.length" description="还没有推送过">
        <van-button round type="primary" @click="form.show = true">推送给我的小伙伴</van-button>
      </van-empty>
      <van-popup v-model:show="form.show" position="bottom" round teleport="body">
        <van-form @submit="publish" class="sheet">
          <div class="sheet-title">推送给我的小伙伴</div>
          <van-field v-model="form.title" label="标题" :rules="[{ required: true, message: '请填写标题' }]" />
          <van-field v-model="form.body" label="内容" type="textarea" rows="3" autosize />
          <van-field v-model="form.link" label="链接" placeholder="https://…（可不填）" />
          <van-button block round type="primary" native-type="submit">推送</van-button>
        </van-form>
      </van-popup>
    </Page>`,
};
