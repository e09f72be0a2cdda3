// The caller's subtree: a lazily expanded tree with search, and an org's own page.
import { computed, ref } from "vue";
import { gql } from "../api.js";
import { me } from "../store.js";
import { PageState, useLoad } from "../components.js";
import { can, label } from "../util.js";

const CHILDREN = `query($id: ID!, $after: String) { org(id: $id) { children(first: 100, after: $after) {
  nodes { id name level childCount } pageInfo { hasNextPage endCursor } } } }`;

export const OrgTree = {
  name: "OrgTreePage",
  components: { PageState },
  setup() {
    const search = ref("");
    const hits = ref(null);
    const error = ref("");
    // The roots are where the caller holds grants (a grant covers its subtree), without
    // those that lie inside another root.
    const roots = computed(() => {
      const seen = new Map();
      for (const g of me.grants) if (g.org) seen.set(g.org.id, { id: g.org.id, name: g.org.name, childCount: 1 });
      return [...seen.values()];
    });
    async function loadNode(node, resolve) {
      if (node.level === 0) return resolve(roots.value);
      try {
        const out = [];
        let after = null;
        do {
          const d = await gql(CHILDREN, { id: node.data.id, after });
          out.push(...d.org.children.nodes);
          after = d.org.children.pageInfo.hasNextPage ? d.org.children.pageInfo.endCursor : null;
        } while (after);
        resolve(out);
      } catch (e) {
        error.value = e.message;
        resolve([]);
      }
    }
    async function find() {
      if (!search.value.trim()) {
        hits.value = null;
        return;
      }
      const d = await gql(`query($s: String) { orgs(search: $s, first: 50) { totalCount nodes { id name level parent { name } } } }`, { s: search.value.trim() });
      hits.value = d.orgs;
    }
    return {
      search, hits, error, loadNode, find, label, roots,
      props: { label: "name", isLeaf: (d) => d.childCount === 0 },
    };
  },
  template: `
  <section aria-labelledby="tree-title">
    <h2 id="tree-title">组织树</h2>
    <form class="toolbar" role="search" @submit.prevent="find">
      <label for="tree-search" class="sr-only">搜索组织</label>
      <el-input id="tree-search" v-model="search" placeholder="按名称或代码搜索" clearable @clear="find" style="width: 320px" />
      <el-button type="primary" native-type="submit">搜索</el-button>
    </form>
    <el-alert v-if="error" :title="error" type="error" :closable="false" />
    <el-table v-if="hits" :data="hits.nodes" aria-label="搜索结果" empty-text="没有匹配的组织">
      <el-table-column label="名称"><template #default="{ row }"><router-link :to="'/orgs/' + row.id">{{ row.name }}</router-link></template></el-table-column>
      <el-table-column label="层级"><template #default="{ row }">{{ label('level', row.level) }}</template></el-table-column>
      <el-table-column label="上级"><template #default="{ row }">{{ row.parent?.name || '' }}</template></el-table-column>
    </el-table>
    <el-tree v-else lazy :load="loadNode" :props="props" node-key="id" aria-label="组织树" class="org-tree"
             :default-expanded-keys="roots.map(r => r.id)"
             :expand-on-click-node="false">
      <template #default="{ data }"><router-link :to="'/orgs/' + data.id" class="tree-node" @click.stop>{{ data.name }}</router-link></template>
    </el-tree>
  </section>`,
};

const ORG = `query($id: ID!) { org(id: $id) { id name code level kind isLeadingOrgan isActive
  ancestors { id name } childCount descendantCount cadreCount youthCount
  children(first: 100) { nodes { id name level childCount cadreCount youthCount } } } }`;

export const OrgPage = {
  name: "OrgPage",
  components: { PageState },
  props: { id: { type: String, required: true } },
  setup(props) {
    const state = useLoad(async () => (await gql(ORG, { id: props.id })).org, () => props.id);
    return { state, label, can };
  },
  template: `
  <PageState :state="state">
    <section v-if="state.data" aria-labelledby="org-title">
      <el-breadcrumb separator="/" aria-label="上级组织">
        <el-breadcrumb-item v-for="a in state.data.ancestors" :key="a.id" :to="'/orgs/' + a.id">{{ a.name }}</el-breadcrumb-item>
        <el-breadcrumb-item>{{ state.data.name }}</el-breadcrumb-item>
      </el-breadcrumb>
      <h2 id="org-title">{{ state.data.name }} <el-tag size="small">{{ label('level', state.data.level) }}</el-tag>
        <el-tag v-if="!state.data.isActive" type="info" size="small">已停用</el-tag></h2>
      <div class="stats" role="list" aria-label="组织统计">
        <el-statistic role="listitem" title="直接下级" :value="state.data.childCount" />
        <el-statistic role="listitem" title="全部下级" :value="state.data.descendantCount" />
        <el-statistic role="listitem" title="团干部" :value="state.data.cadreCount" />
        <el-statistic role="listitem" title="小伙伴" :value="state.data.youthCount" />
      </div>
      <nav class="org-links" aria-label="本组织的页面">
        <router-link v-if="can('work:view')" :to="'/orgs/' + id + '/dashboard'">工作看板</router-link>
        <router-link v-if="can('work:view')" :to="'/orgs/' + id + '/ranking'">积分排名</router-link>
        <router-link v-if="can('cadre:view')" :to="{ path: '/cadres', query: { under: id } }">团干部</router-link>
        <router-link v-if="can('youth:view')" :to="{ path: '/youth', query: { under: id } }">小伙伴</router-link>
        <router-link v-if="can('work:view')" :to="{ path: '/logs', query: { under: id } }">工作日志</router-link>
      </nav>
      <h3>直接下级</h3>
      <el-table :data="state.data.children.nodes" aria-label="直接下级组织" empty-text="没有下级组织">
        <el-table-column label="名称"><template #default="{ row }"><router-link :to="'/orgs/' + row.id">{{ row.name }}</router-link></template></el-table-column>
        <el-table-column label="层级"><template #default="{ row }">{{ label('level', row.level) }}</template></el-table-column>
        <el-table-column prop="childCount" label="下级数" />
        <el-table-column prop="cadreCount" label="团干部" />
        <el-table-column prop="youthCount" label="小伙伴" />
      </el-table>
    </section>
  </PageState>`,
};
